"""A small client for privacyIDEA's REST API, on Python's standard library only, so that the
portal (privacyIDEA's venv) and the browser test (the Selenium venv) share it.

Errors name the method, the path and privacyIDEA's own message, never the values sent: those
are passwords, PINs and one-time codes.
"""
import json
import urllib.error
import urllib.parse
import urllib.request


class PIError(Exception):
    """privacyIDEA refused a call, or could not be reached; `code` is privacyIDEA's error code
    (None when there was no answer)."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class PrivacyIDEA:
    """privacyIDEA at `base` (e.g. http://127.0.0.1:5000); `admin` is an optional
    (username, password) pair used for the admin calls, logged in on first use."""

    def __init__(self, base, admin=None, timeout=15):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self._admin = admin
        self._admin_token = None

    def request(self, method, path, data=None, token=None, params=None, json_body=None):
        """One call; returns the decoded JSON answer (also for HTTP errors, which privacyIDEA
        answers with JSON), raises PIError when there is no JSON answer at all."""
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body, headers = None, {"Accept": "application/json"}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if token:
            headers["Authorization"] = token
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
        except OSError as err:
            raise PIError(f"{method} {path}: privacyIDEA unreachable ({err.__class__.__name__})") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise PIError(f"{method} {path}: privacyIDEA sent no JSON") from None

    def ok(self, method, path, full=False, **kw):
        """A call that must succeed: returns result.value, or with `full` the whole answer
        (enrollment data is in its `detail`)."""
        answer = self.request(method, path, **kw)
        result = answer.get("result") or {}
        if not result.get("status"):
            error = result.get("error") or {}
            raise PIError(f"{method} {path}: privacyIDEA refused: {error.get('message', 'no message')}",
                          error.get("code"))
        return answer if full else result.get("value")

    # ---------------------------------------------------------------- sign-in

    def login(self, username, password, realm):
        """The user's own sign-in (POST /auth, checked against the user store): the user's
        token, or None when privacyIDEA says no."""
        answer = self.request("POST", "/auth", data={"username": username, "password": password,
                                                      "realm": realm})
        result = answer.get("result") or {}
        if result.get("status") and result.get("value", {}).get("role") == "user":
            return result["value"]["token"]
        return None

    def admin_token(self):
        """The service account's token (the admin of this test server)."""
        if self._admin_token is None:
            if not self._admin:
                raise PIError("no admin account configured")
            self._admin_token = self.ok("POST", "/auth", data={"username": self._admin[0],
                                                               "password": self._admin[1]})["token"]
        return self._admin_token

    def admin(self, method, path, **kw):
        """An admin call that must succeed; logs in again once when the token has expired."""
        try:
            return self.ok(method, path, token=self.admin_token(), **kw)
        except PIError as err:
            # 403x: privacyIDEA's authentication errors (an expired token among them)
            if not (isinstance(err.code, int) and 4030 <= err.code < 4040):
                raise
            self._admin_token = None
            return self.ok(method, path, token=self.admin_token(), **kw)

    # ---------------------------------------------------------------- validation

    def check(self, user, realm, password, transaction_id=None, serial=None):
        """POST /validate/check: (authentication, detail), e.g. ("CHALLENGE", {...})."""
        data = {"user": user, "realm": realm, "pass": password}
        if transaction_id:
            data["transaction_id"] = transaction_id
        if serial:
            data["serial"] = serial
        answer = self.request("POST", "/validate/check", data=data)
        result = answer.get("result") or {}
        if not result.get("status"):
            message = (result.get("error") or {}).get("message", "no message")
            raise PIError(f"POST /validate/check: privacyIDEA refused: {message}")
        return result.get("authentication", "REJECT"), answer.get("detail") or {}

    def challenge_status(self, transaction_id):
        """GET /validate/polltransaction: pending, accept, declined, cancelled (or unknown)."""
        answer = self.request("GET", "/validate/polltransaction",
                              params={"transaction_id": transaction_id})
        return (answer.get("detail") or {}).get("challenge_status", "unknown")

    def tokens(self, user, realm):
        """The user's tokens, as the admin sees them."""
        return self.admin("GET", "/token/", params={"user": user, "realm": realm})["tokens"]
