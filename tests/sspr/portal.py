#!/usr/bin/env python3
"""A small self-service password reset (SSPR) portal in front of privacyIDEA, for Tessera's
browser tests and demo. Runs on privacyIDEA's own venv (Flask is there).

Registration: the user signs in with the current password (privacyIDEA's POST /auth, checked
against the user store), the portal's service account enrolls a TOTP token and a push token for
that user and shows privacyIDEA's two QR codes; the first code from the authenticator confirms
(and the push token must have been scanned). The service account, not the user's own session,
enrolls because letting users enroll needs a user-scope policy, and privacyIDEA counts any
active user-scope policy as "the user scope is configured" for every realm: it would take
rights away from the users of other realms on a shared server.

Reset: username -> a choice of push approval or authenticator code -> for push, a page that
waits for the phone (showing the number to pick when privacyIDEA's push_require_presence is on)
-> a new password -> a final page. Verification is privacyIDEA's /validate/check and
/validate/polltransaction; the new password is written through privacyIDEA's user API into the
editable SQL user store.

Configuration (environment): SSPR_PI_URL, SSPR_REALM, SSPR_RESOLVER, SSPR_ADMIN and
SSPR_ADMIN_PASS (the service account that looks users up and sets passwords), SSPR_PUSH_TIMEOUT
(seconds the push page waits, default 60), SSPR_PORT_FILE (where the chosen port is written).

The portal binds to 127.0.0.1 only, on a free port. Its log names users and steps, never a
password, a code or a QR code. It exits when its parent process is gone, so that a test
killed without cleanup does not leave it running.
"""
import logging
import os
import secrets
import sys
import threading
import time

from flask import Flask, redirect, render_template_string, request
from werkzeug.serving import make_server

from pi_api import PIError, PrivacyIDEA

log = logging.getLogger("sspr")
app = Flask(__name__)

PI = PrivacyIDEA(os.environ["SSPR_PI_URL"], (os.environ["SSPR_ADMIN"], os.environ["SSPR_ADMIN_PASS"]))
REALM = os.environ["SSPR_REALM"]
RESOLVER = os.environ["SSPR_RESOLVER"]
PUSH_TIMEOUT = int(os.environ.get("SSPR_PUSH_TIMEOUT", "60"))
MIN_PASSWORD = 8
MAX_CODE_TRIES = 3

# Sessions live in this process only (a cookie holds a random id): the QR images hold
# credentials and never go into a cookie.
SESSIONS = {}
SESSIONS_LOCK = threading.Lock()
COOKIE = "sspr_session"

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} · Account self-service</title>
{% if refresh %}<meta http-equiv="refresh" content="{{ refresh }}">{% endif %}
<style>
 body { font-family: sans-serif; background: #f3f5f8; margin: 0; color: #1d2733; }
 header { background: #1f4e79; color: white; padding: 14px 32px; font-size: 18px; }
 main { background: white; max-width: 640px; margin: 32px auto; padding: 24px 32px;
        border-radius: 8px; box-shadow: 0 1px 4px #0002; }
 h1 { font-size: 22px; margin-top: 0; }
 label { display: block; margin: 12px 0 4px; }
 input { font-size: 16px; padding: 6px; width: 260px; }
 button { font-size: 16px; padding: 8px 18px; margin: 16px 8px 0 0; background: #1f4e79;
          color: white; border: 0; border-radius: 4px; cursor: pointer; }
 .error { color: #a4262c; font-weight: bold; }
 .ok { color: #107c10; font-weight: bold; }
 .number { font-size: 56px; font-weight: bold; letter-spacing: 4px; color: #1f4e79; }
 .qr { display: inline-block; text-align: center; margin: 8px 24px 8px 0; }
 .qr img { width: 220px; height: 220px; image-rendering: pixelated; }
</style></head>
<body><header>Account self-service · {{ realm }}</header>
<main id="page" data-page="{{ page }}"><h1>{{ title }}</h1>
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
{{ body|safe }}
</main></body></html>"""


def page(name, title, body="", error=None, refresh=None, **values):
    """Renders one page; `name` is in data-page for the tests, `body` a Jinja snippet."""
    inner = render_template_string(body, **values)
    return render_template_string(LAYOUT, page=name, title=title, body=inner, error=error,
                                  refresh=refresh, realm=REALM)


def session():
    """This browser's session (created on first use; the cookie is set in `after_request`)."""
    sid = request.cookies.get(COOKIE)
    with SESSIONS_LOCK:
        if sid not in SESSIONS:
            sid = secrets.token_urlsafe(24)
            SESSIONS[sid] = {}
        request.sid = sid
        return SESSIONS[sid]


@app.after_request
def set_cookie(response):
    if getattr(request, "sid", None):
        response.set_cookie(COOKIE, request.sid, httponly=True, samesite="Strict")
    response.headers["Cache-Control"] = "no-store"
    return response


@app.errorhandler(PIError)
def pi_error(err):
    log.warning("privacyIDEA call failed: %s", err)
    return page("error", "Something went wrong", error=f"The identity service failed ({err})."), 502


@app.get("/")
def index():
    return page("home", "What do you want to do?", """
<p><a id="register" href="/register">Register your security info</a> (sign in with your password)</p>
<p><a id="reset" href="/reset">Reset your password</a> (forgot it? prove it is you with your phone)</p>""")


# ------------------------------------------------------------------------------ registration

@app.route("/register", methods=["GET", "POST"])
def register():
    form = """<form method="post">
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<label for="password">Current password</label><input id="password" name="password" type="password">
<br><button id="sign-in" type="submit">Sign in</button></form>"""
    if request.method == "GET":
        return page("register", "Sign in to register your security info", form)
    user = request.form.get("username", "").strip()
    if not user or PI.login(user, request.form.get("password", ""), REALM) is None:
        log.info("registration: sign-in refused for %r", user)
        return page("register", "Sign in to register your security info", form,
                    error="Wrong username or password."), 401
    owner = {"user": user, "realm": REALM, "genkey": 1, "description": "SSPR registration"}
    totp = PI.admin("POST", "/token/init", full=True, data=dict(owner, type="totp"))["detail"]
    push = PI.admin("POST", "/token/init", full=True, data=dict(owner, type="push"))["detail"]
    s = session()
    s.clear()
    s.update(user=user, totp_serial=totp["serial"], push_serial=push["serial"],
             totp_img=totp["googleurl"]["img"], push_img=push["pushurl"]["img"])
    log.info("registration: %s signed in; enrolled %s and %s, waiting for the app",
             user, totp["serial"], push["serial"])
    return redirect("/register/scan", 303)


SCAN = """<p>Open your authenticator app and scan both QR codes, then type the code it shows
for the new account.</p>
<div class="qr"><img id="totp-qr" alt="TOTP QR code" src="{{ s.totp_img }}"><br>Authenticator code</div>
<div class="qr"><img id="push-qr" alt="Push QR code" src="{{ s.push_img }}"><br>Push approvals</div>
<form method="post" action="/register/confirm">
<label for="code">First code from the app</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code">
<br><button id="confirm" type="submit">Confirm</button></form>"""


@app.get("/register/scan")
def register_scan():
    s = session()
    if "totp_serial" not in s:
        return redirect("/register", 303)
    return page("register-scan", f"Register security info for {s['user']}", SCAN, s=s)


@app.post("/register/confirm")
def register_confirm():
    s = session()
    if "totp_serial" not in s:
        return redirect("/register", 303)
    title = f"Register security info for {s['user']}"
    push = PI.admin("GET", "/token/", params={"serial": s["push_serial"]})["tokens"]
    if not push or push[0]["rollout_state"] != "enrolled":
        return page("register-scan", title, SCAN, s=s,
                    error="Scan the push QR code with your authenticator app first.")
    result, _ = PI.check(s["user"], REALM, request.form.get("code", "").strip(),
                         serial=s["totp_serial"])
    if result != "ACCEPT":
        log.info("registration: %s: first code refused", s["user"])
        return page("register-scan", title, SCAN, s=s,
                    error="That code was not accepted. Type the code your app shows now.")
    tokens = PI.tokens(s["user"], REALM)
    log.info("registration: %s confirmed %s and %s", s["user"], s["totp_serial"], s["push_serial"])
    user = s["user"]
    s.clear()
    return page("register-done", "Your security info is registered", """
<p class="ok">You can now reset your password with your phone.</p>
<ul id="tokens">{% for t in tokens %}<li>{{ t.serial }} ({{ t.tokentype }}, {{ t.rollout_state or "enrolled" }})</li>{% endfor %}</ul>
<p><a href="/">Back</a></p>""", tokens=tokens, user=user)


# ------------------------------------------------------------------------------ reset

@app.route("/reset", methods=["GET", "POST"])
def reset():
    form = """<form method="post">
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<br><button id="next" type="submit">Next</button></form>"""
    title = "Reset your password"
    if request.method == "GET":
        return page("reset", title, form)
    user = request.form.get("username", "").strip()
    s = session()
    s.clear()
    known = user and PI.admin("GET", "/user/", params={"realm": REALM, "username": user})
    tokens = PI.tokens(user, REALM) if known else []
    usable = [t for t in tokens if t["active"] and not t["revoked"] and not t["locked"]
              and t["rollout_state"] in ("", "enrolled")]
    methods = {t["tokentype"] for t in usable} & {"push", "totp"}
    if not methods:
        log.info("reset: no verification method for %r", user)
        return page("reset", title, form, error="No verification methods are registered for "
                    "this account. Register your security info first.")
    # the newest push token gets the request (one phone, not every phone ever registered)
    push = sorted((t["id"], t["serial"]) for t in usable if t["tokentype"] == "push")
    s.update(reset_user=user, methods=sorted(methods), tries=0,
             push_serial=push[-1][1] if push else None)
    log.info("reset: %s started (methods: %s)", user, ", ".join(sorted(methods)))
    return redirect("/reset/method", 303)


@app.route("/reset/method", methods=["GET", "POST"])
def reset_method():
    s = session()
    if "reset_user" not in s:
        return redirect("/reset", 303)
    if request.method == "GET":
        return page("reset-method", "How do you want to prove it is you?", """<form method="post">
{% if "push" in methods %}<button id="method-push" name="method" value="push">Approve a request on my phone</button>{% endif %}
{% if "totp" in methods %}<button id="method-code" name="method" value="code">Type a code from my authenticator app</button>{% endif %}
</form>""", methods=s["methods"])
    if request.form.get("method") == "code" and "totp" in s["methods"]:
        return redirect("/reset/code", 303)
    if request.form.get("method") != "push" or "push" not in s["methods"]:
        return redirect("/reset/method", 303)
    # the tokens have no PIN: an empty password is the PIN, so the push token sends a
    # challenge; naming its serial keeps the TOTP token (whose PIN "" matches too) out of it
    result, detail = PI.check(s["reset_user"], REALM, "", serial=s["push_serial"])
    if result != "CHALLENGE" or not detail.get("transaction_id"):
        log.warning("reset: %s: no push challenge (%s)", s["reset_user"], result)
        return fail(s, "nochallenge", "The push request could not be sent to your phone.")
    s.update(txid=detail["transaction_id"], number=detail.get("presence_answer"),
             push_started=time.monotonic())
    log.info("reset: %s: push request sent%s", s["reset_user"],
             " with number matching" if s["number"] else "")
    return redirect("/reset/push", 303)


@app.get("/reset/push")
def reset_push():
    s = session()
    if "txid" not in s:
        return redirect("/reset", 303)
    status = PI.challenge_status(s["txid"])
    if status == "accept":
        result, _ = PI.check(s["reset_user"], REALM, "", transaction_id=s["txid"])
        if result == "ACCEPT":
            return verified(s, "push approval")
        return fail(s, "rejected", "privacyIDEA did not confirm the approval.")
    if status in ("declined", "cancelled"):
        log.info("reset: %s: the push request was %s on the phone", s["reset_user"], status)
        return fail(s, status, "The request was refused on your phone"
                    + (' ("this wasn\'t me").' if status == "declined" else " (cancelled)."))
    waited = time.monotonic() - s["push_started"]
    if waited > PUSH_TIMEOUT:
        log.info("reset: %s: no answer within %d s", s["reset_user"], PUSH_TIMEOUT)
        return fail(s, "timeout", f"Your phone did not answer within {PUSH_TIMEOUT} seconds.")
    return page("reset-push", "Check your phone", """
<p>We sent a request to the authenticator app on your phone.</p>
{% if number %}<p>Pick this number in the app:</p><p class="number" id="number">{{ number }}</p>{% endif %}
<p id="waiting">Waiting for your answer… ({{ left }} s left)</p>""",
                refresh=1, number=s["number"], left=max(0, int(PUSH_TIMEOUT - waited)))


@app.route("/reset/code", methods=["GET", "POST"])
def reset_code():
    s = session()
    if "reset_user" not in s or "totp" not in s["methods"]:
        return redirect("/reset", 303)
    form = """<form method="post"><label for="code">Code from your authenticator app</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code">
<br><button id="verify" type="submit">Verify</button></form>"""
    if request.method == "GET":
        return page("reset-code", "Type the code from your app", form)
    code = request.form.get("code", "").strip()
    result, _ = PI.check(s["reset_user"], REALM, code) if code.isdigit() else ("REJECT", {})
    if result == "ACCEPT":
        return verified(s, "authenticator code")
    s["tries"] += 1
    log.info("reset: %s: code refused (%d of %d)", s["reset_user"], s["tries"], MAX_CODE_TRIES)
    if s["tries"] >= MAX_CODE_TRIES:
        return fail(s, "codes", "Too many wrong codes.")
    return page("reset-code", "Type the code from your app", form,
                error="That code was not accepted (wrong, expired or already used).")


def verified(s, how):
    """The user proved it is them: only now may a new password be set."""
    user = s["reset_user"]
    s.clear()
    s.update(verified_user=user)
    log.info("reset: %s verified by %s", user, how)
    return redirect("/reset/password", 303)


def fail(s, reason, message):
    user = s.get("reset_user")
    s.clear()
    return page("reset-failed", "Your password was not reset", """
<p id="reason" data-reason="{{ reason }}">{{ message }}</p>
<p>Your password is unchanged. <a href="/reset">Start again</a></p>""",
                reason=reason, message=message, user=user)


@app.route("/reset/password", methods=["GET", "POST"])
def reset_password():
    s = session()
    if "verified_user" not in s:
        return redirect("/reset", 303)
    form = """<form method="post">
<label for="new-password">New password</label><input id="new-password" name="password" type="password" autocomplete="new-password">
<label for="repeat-password">Repeat it</label><input id="repeat-password" name="repeat" type="password" autocomplete="new-password">
<br><button id="set-password" type="submit">Set password</button></form>"""
    title = f"Choose a new password for {s['verified_user']}"
    if request.method == "GET":
        return page("reset-password", title, form)
    password = request.form.get("password", "")
    if len(password) < MIN_PASSWORD:
        return page("reset-password", title, form, error=f"Use at least {MIN_PASSWORD} characters.")
    if password != request.form.get("repeat", ""):
        return page("reset-password", title, form, error="The two passwords differ.")
    PI.admin("PUT", "/user/", data={"resolver": RESOLVER, "user": s["verified_user"],
                                    "password": password})
    user = s["verified_user"]
    s.clear()
    log.info("reset: %s: password changed", user)
    return page("reset-done", "Your password has been changed", """
<p class="ok" id="done">{{ user }}, you can now sign in with your new password.</p>
<p><a href="/">Back</a></p>""", user=user)


# ------------------------------------------------------------------------------ serving

def watch_parent(parent):
    """Exits when the process that started the portal is gone (we were re-parented)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    log.info("parent process gone: stopping")
    os._exit(0)


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    port_file = os.environ.get("SSPR_PORT_FILE")
    if port_file:
        with open(port_file + ".tmp", "w") as f:
            f.write(str(server.port))
        os.replace(port_file + ".tmp", port_file)
    log.info("listening on http://127.0.0.1:%d (realm %s, push timeout %d s)",
             server.port, REALM, PUSH_TIMEOUT)
    server.serve_forever()


if __name__ == "__main__":
    main()
