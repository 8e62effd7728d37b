from sprachmittlerpool.models import OfferStatus, RequestStatus
from sprachmittlerpool.services import offers
from tests.coordination.helpers import mails, now, open_request, reload


def test_offer_accept_smoke(app, db, factories, client):
    req = open_request(factories)
    vol = factories.VolunteerFactory()
    with app.test_request_context():
        offer, token = offers.make_offer(db, request_id=req.id, volunteer_id=vol.id, now=now(), actor="t")
    assert reload(db, req).status == RequestStatus.OFFERED
    page = client.get(f"/o/{token}")
    assert page.status_code == 200, page.get_data(as_text=True)
    r = client.post(f"/o/{token}/accept")
    db.commit()
    print(r.get_data(as_text=True)[-1500:])
    assert reload(db, offer).status == OfferStatus.ACCEPTED
    assert reload(db, req).status == RequestStatus.CONFIRMED
    print([m.subject for m in mails(db)])
