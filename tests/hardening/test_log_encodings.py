"""Link tokens stay masked in the logs however the path is spelled (issue 14).

A server routes `/o%2FTOKEN`, `/%6F/TOKEN` or `//o//TOKEN` after decoding or merging, and whoever reads the
log decodes too, so the mask must match after decoding: percent-encoded slashes and letters, double
encoding, mixed case, dot and doubled segments, an encoded query key. The app's masking and gunicorn's
access log (real gunicorn, raw request lines that no client library normalises) are both checked.
"""

from __future__ import annotations

import http.client
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from sprachmittlerpool.logsafe import mask_tokens
from sprachmittlerpool.security import new_token
from tests.hardening.test_gunicorn_log import BIN, ROOT, _environment
from tests.smtp import free_port

# A fixed token of new_token()'s shape: parameter ids must be equal in every test worker (pytest-xdist).
TOKEN = "DLYWrreVCPH65dGq_zDEDxgykcu9cGuId1XZ7twio3k"


def every_char_encoded(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


def spellings(token: str) -> list[str]:
    """The same token links, spelled the ways a server still routes or a reader still decodes."""
    return [
        f"/o%2F{token}",
        f"/o%2f{token}",
        f"%2Fo%2F{token}",
        f"/%6F/{token}",
        f"/%6f/{token}",
        f"/%256F/{token}",
        f"/o%252F{token}",
        f"/o%25252F{token}",
        f"/O/{token}",
        f"/Status/{token}",
        f"/STATUS/{token}/stornieren",
        f"/%73tatus/{token}",
        f"/%53TATUS%2f{token}",
        f"/bestaetigung%2F{token}",
        f"/Bestaetigung/{token}",
        f"/api/v1/requests/status%2F{token}",
        f"//o//{token}",
        f"/o//{token}",
        f"/o/./{token}",
        f"/o\\{token}",
        f"/o/{every_char_encoded(token)}",
        f"/o/{quote(quote(token, safe=''), safe='')}",
        f"/o/%20{token}",
        f"/anfrage?%74oken={token}",
        f"/anfrage?token%3D{token}",
        f"/anfrage?TOKEN={token}",
        f"/anfrage?a=1%26token%3D{token}",
        f"token={token}",
        f'"GET /%6F/{token} HTTP/1.1" 404 -',
        f'"GET /o%2F{token}?x=1 HTTP/1.1" 404 -',
    ]


def fully_decoded(text: str) -> str:
    for _ in range(6):
        text = unquote(text)
    return text


@pytest.mark.parametrize("logged", spellings(TOKEN))
def test_the_token_is_masked_whatever_the_encoding(logged: str) -> None:
    masked = mask_tokens(logged)

    assert TOKEN not in fully_decoded(masked), masked
    assert TOKEN[:12] not in fully_decoded(masked).replace("/", ""), masked


def test_a_decoded_line_cannot_forge_a_new_log_line() -> None:
    masked = mask_tokens(f"/o%2F{TOKEN}%0A127.0.0.1 - fake line")

    assert "\n" not in masked and "\r" not in masked and TOKEN not in fully_decoded(masked)


@pytest.mark.parametrize(
    "clean", ["/koordination/anfragen/12?sort=distance", "/static/style.css", "/anfrage"]
)
def test_paths_without_a_token_stay_unchanged(clean: str) -> None:
    assert mask_tokens(clean) == clean


def test_gunicorn_masks_encoded_token_paths_in_the_access_log(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    subprocess.run(
        [str(BIN / "flask"), "--app", "sprachmittlerpool", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port, token, log = free_port(), new_token(), tmp_path / "access.log"
    command = [str(BIN / "gunicorn"), "-c", "python:sprachmittlerpool.gunicorn_conf", "-w", "1"]
    command += ["-b", f"127.0.0.1:{port}", "--access-logfile", str(log), "sprachmittlerpool:create_app()"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    paths = [path for path in spellings(token) if path.startswith("/") and "\\" not in path]
    try:
        _wait_for(port)
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            connection.getresponse().read()
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()

    assert written.count("\n") >= len(paths)
    assert token not in fully_decoded(written)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 90  # stops a hang only; a loaded machine boots gunicorn slowly
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", "/static/style.css")
            connection.getresponse().read()
            return
        except OSError:  # refused before gunicorn listens, or reset while it boots
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        finally:
            connection.close()  # also after a reset: a socket left open fails the test at garbage collection
