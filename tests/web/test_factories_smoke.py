"""The builders make valid rows the database accepts."""

from sqlmodel import select

from sprachmittlerpool.models import Availability, VolunteerLanguage


def test_factories_build_a_volunteer_and_a_request(db, factories) -> None:
    volunteer = factories.VolunteerFactory(languages=["ar"])
    request = factories.RequestFactory(language_code="ar")

    codes = db.exec(
        select(VolunteerLanguage.language_code).where(VolunteerLanguage.volunteer_id == volunteer.id)
    ).all()
    windows = db.exec(select(Availability).where(Availability.volunteer_id == volunteer.id)).all()
    assert codes == ["ar"]
    assert len(windows) == 5
    assert request.id is not None and request.end > request.start
