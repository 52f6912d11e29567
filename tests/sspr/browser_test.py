#!/usr/bin/env python3
"""Tessera's browser suite: the SSPR portal (portal.py) in headless Chromium, privacyIDEA
behind it, and the `tessera` CLI as the user's phone.

  browser_test.py --tessera BIN --work DIR --shots DIR --pi-python PY [--demo] [--show]
                  [--push-timeout S]

Needs TESSERA_PI_* (tests/privacyidea/server.sh). Creates a user directory (SQLite) and its
realm, a user with a random password, starts the portal and Chromium, and plays the
scenarios; every page is saved as a screenshot in --shots. Prints one line per scenario and
ends with `browser: N passed, N failed`. --demo plays registration and a reset with number
matching only; --show opens a visible browser window (needs a display).

Nothing secret is printed: passwords, codes and QR contents stay in variables and files
under --work.
"""
import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import setup_pi  # noqa: E402
from pi_api import PrivacyIDEA  # noqa: E402

# A realm (and user directory) per run: privacyIDEA ties tokens to a resolver's user id, and a
# fresh directory numbers its users from 1 again, so a shared resolver would hand an earlier
# run's tokens to this run's user.
REALM = "sspr-" + secrets.token_hex(3)
NUMBER_MATCHING = "push_require_presence, push_presence_options=NUMERIC, push_presence_num_options=3"


class Failed(Exception):
    """A scenario's expectation did not hold; the message says which."""


def replaced(element):
    """True once `element` left the document. Selenium's staleness_of only knows its own
    stale-element error; Chromium also reports "Node with given id does not belong to the
    document" while the old page is being torn down, which means the same."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as err:
        if "does not belong to the document" in str(err):
            return True
        raise


def expect(condition, message):
    if not condition:
        raise Failed(message)


class Suite:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.shots = os.path.abspath(args.shots)
        os.makedirs(self.shots, exist_ok=True)
        self.pi = PrivacyIDEA(os.environ["TESSERA_PI_URL"],
                              (os.environ["TESSERA_PI_ADMIN"], os.environ["TESSERA_PI_ADMIN_PASS"]))
        self.user = "carol-" + secrets.token_hex(3)
        self.password = secrets.token_urlsafe(12)
        self.secrets = [self.password]   # what must never appear in the portal's log
        self.used_codes = set()
        self.shot_no = 0
        self.scenario = "setup"
        self.portal = self.browser = None

    # -------------------------------------------------------------------- set-up / tear-down

    def start(self):
        self.resolver = setup_pi.setup(os.path.join(self.work, "directory.sqlite"), REALM)
        self.pi.admin("POST", "/user/", data={"resolver": self.resolver, "user": self.user,
                                              "password": self.password, "givenname": "Carol"})
        subprocess.run([self.args.tessera, "--vault", self.vault(), "init"], check=True,
                       stdout=subprocess.DEVNULL)
        port_file = os.path.join(self.work, "portal.port")
        env = dict(os.environ, SSPR_PI_URL=os.environ["TESSERA_PI_URL"], SSPR_REALM=REALM,
                   SSPR_RESOLVER=self.resolver, SSPR_ADMIN=os.environ["TESSERA_PI_ADMIN"],
                   SSPR_ADMIN_PASS=os.environ["TESSERA_PI_ADMIN_PASS"],
                   SSPR_PUSH_TIMEOUT=str(self.args.push_timeout), SSPR_PORT_FILE=port_file)
        self.portal_log = os.path.join(self.work, "portal.log")
        with open(self.portal_log, "w") as log:
            self.portal = subprocess.Popen([self.args.pi_python, os.path.join(HERE, "portal.py")],
                                           env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL)
        for _ in range(120):
            if os.path.exists(port_file) or self.portal.poll() is not None:
                break
            time.sleep(0.25)
        if not os.path.exists(port_file):
            raise Failed("the portal did not start; " + self.tail(self.portal_log))
        self.port = int(open(port_file).read())
        self.base = f"http://127.0.0.1:{self.port}"

        opts = Options()
        opts.binary_location = "/usr/bin/chromium"
        for flag in ("--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1000,960",
                     f"--user-data-dir={os.path.join(self.work, 'chromium-profile')}"):
            opts.add_argument(flag)
        if not self.args.show:
            opts.add_argument("--headless=new")
        service = Service("/usr/bin/chromedriver",
                          log_output=os.path.join(self.work, "chromedriver.log"))
        self.browser = webdriver.Chrome(service=service, options=opts)
        self.browser.set_page_load_timeout(30)

    def stop(self):
        if self.browser:
            try:
                self.browser.quit()
            except Exception:  # the browser may be gone already; the portal must still stop
                pass
        if self.portal and self.portal.poll() is None:
            self.portal.terminate()
            try:
                self.portal.wait(5)
            except subprocess.TimeoutExpired:
                self.portal.kill()

    @staticmethod
    def tail(path, lines=15):
        try:
            return "".join(open(path).readlines()[-lines:])
        except OSError:
            return "(no log)"

    # -------------------------------------------------------------------- the phone: tessera

    def vault(self):
        return os.path.join(self.work, "vault.sqlite")

    def tessera(self, *argv):
        """Runs the CLI on the test vault; output is kept, never printed (it holds codes)."""
        return subprocess.run([self.args.tessera, "--vault", self.vault(), *argv],
                              capture_output=True, text=True, timeout=120)

    def fresh_code(self):
        """The TOTP code `tessera codes --json` shows, waiting for the next period when the
        current code was used already (privacyIDEA refuses a code twice)."""
        for _ in range(3):
            run = self.tessera("codes", "--json")
            expect(run.returncode == 0, f"tessera codes --json failed: {run.stderr.strip()}")
            accounts = [a for a in json.loads(run.stdout) if a["type"] == "totp"]
            expect(len(accounts) == 1, f"the vault should hold one TOTP account, has {len(accounts)}")
            code = accounts[0]["code"]
            if code not in self.used_codes:
                self.secrets.append(code)
                return code
            time.sleep(accounts[0]["remaining_seconds"] + 1)
        raise Failed("no fresh TOTP code after two periods")

    def requests(self):
        run = self.tessera("push", "poll", "--json")
        expect(run.returncode == 0, f"tessera push poll failed: {run.stderr.strip()}")
        return json.loads(run.stdout)

    def new_request(self, known, timeout=20):
        """The push request that was not pending before (`known`: ids seen before)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fresh = [r for r in self.requests() if r["id"] not in known]
            if fresh:
                expect(len(fresh) == 1, f"{len(fresh)} new push requests, expected one")
                return fresh[0]
            time.sleep(0.5)
        raise Failed(f"no push request reached Tessera within {timeout} s")

    # -------------------------------------------------------------------- the browser

    def say(self, message):
        """Narration for the demo (nothing secret: serials, numbers shown on the page)."""
        if self.args.demo:
            print(f"    {message}", flush=True)

    def shot(self, label):
        self.shot_no += 1
        path = os.path.join(self.shots, f"{self.shot_no:02d}-{self.scenario}-{label}.png")
        self.browser.save_screenshot(path)
        return path

    def page(self):
        try:
            return self.browser.find_element(By.ID, "page").get_attribute("data-page")
        except (NoSuchElementException, StaleElementReferenceException):
            return None   # between two loads of a refreshing page
        except WebDriverException as err:
            # Chromium's own wording of a stale node during a reload ("Node with given id does
            # not belong to the document"), which Selenium does not map to a stale element.
            if "does not belong to the document" in str(err):
                return None
            raise

    def wait_page(self, *names, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.page()
            if current in names:
                self.shot(current)
                return current
            time.sleep(0.2)
        self.shot("unexpected")
        raise Failed(f"expected page {' or '.join(names)}, still on {self.page()!r} after {timeout} s")

    def text(self, element_id):
        return self.browser.find_element(By.ID, element_id).text

    def read(self, page, element_id, timeout=10):
        """The text of `element_id` on `page` (None when that page has no such element),
        riding out the reloads of the waiting page (it refreshes every second)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.page() == page:
                    found = self.browser.find_elements(By.ID, element_id)
                    text = found[0].text if found else None
                    if self.page() == page:   # still the same kind of page: not mid-reload
                        return text
            except StaleElementReferenceException:
                pass
            except WebDriverException as err:   # the same, in Chromium's words (see page())
                if "does not belong to the document" not in str(err):
                    raise
            time.sleep(0.1)
        raise Failed(f"page {page!r} did not settle within {timeout} s")

    def fill(self, element_id, value):
        field = self.browser.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(value)

    def click(self, element_id):
        """Clicks a button that submits a form, and waits until the next page replaced this
        one (a page with the same data-page, e.g. an error, must not pass for the answer)."""
        before = self.browser.find_element(By.TAG_NAME, "html")
        self.browser.find_element(By.ID, element_id).click()
        WebDriverWait(self.browser, 30).until(lambda _: replaced(before))

    def go(self, path, page):
        self.browser.get(self.base + path)
        return self.wait_page(page)

    # -------------------------------------------------------------------- steps

    def start_reset(self, method):
        self.go("/reset", "reset")
        self.fill("username", self.user)
        self.click("next")
        self.wait_page("reset-method")
        self.click("method-push" if method == "push" else "method-code")
        return self.wait_page("reset-push" if method == "push" else "reset-code")

    def set_new_password(self):
        self.wait_page("reset-password")
        new = secrets.token_urlsafe(12)
        self.secrets.append(new)
        self.fill("new-password", new)
        self.fill("repeat-password", new)
        self.click("set-password")
        self.wait_page("reset-done")
        old, self.password = self.password, new
        expect(self.pi.login(self.user, new, REALM), "privacyIDEA refuses the new password")
        expect(self.pi.login(self.user, old, REALM) is None, "privacyIDEA still accepts the old password")
        self.say("new password set: privacyIDEA signs the user in with it, the old one is refused")

    def expect_failed(self, reason, timeout=15):
        self.wait_page("reset-failed", timeout=timeout)
        got = self.browser.find_element(By.ID, "reason").get_attribute("data-reason")
        expect(got == reason, f"the page gives the reason {got!r}, expected {reason!r}")
        expect(self.pi.login(self.user, self.password, REALM), "the password changed anyway")

    @contextlib.contextmanager
    def number_matching(self):
        """privacyIDEA's number matching (push_require_presence) for this test's user only,
        so that the suites sharing the server are not affected."""
        name = f"sspr-nm-{self.user}"
        self.pi.admin("POST", f"/policy/{name}", json_body={
            "scope": "authentication", "active": True, "action": NUMBER_MATCHING,
            "user": self.user, "realm": REALM})
        try:
            yield
        finally:
            self.pi.admin("DELETE", f"/policy/{name}")

    def push_reset(self):
        """Starts a reset by push approval: (the number the page shows, or None; the request
        that reached Tessera for it)."""
        known = {r["id"] for r in self.requests()}
        self.start_reset("push")
        number = self.read("reset-push", "number")
        return number, self.new_request(known)

    # -------------------------------------------------------------------- scenarios

    def registration(self):
        self.go("/register", "register")
        self.fill("username", self.user)
        self.fill("password", self.password + "-wrong")
        self.click("sign-in")
        self.wait_page("register")
        expect("Wrong username or password" in self.text("error"), "a wrong password is not refused")
        self.fill("username", self.user)
        self.fill("password", self.password)
        self.click("sign-in")
        self.wait_page("register-scan")
        # the phone's camera: each QR code as the image the page shows
        totp_png, push_png = (os.path.join(self.work, n) for n in ("totp-qr.png", "push-qr.png"))
        with open(totp_png, "wb") as f:
            f.write(self.browser.find_element(By.ID, "totp-qr").screenshot_as_png)
        with open(push_png, "wb") as f:
            f.write(self.browser.find_element(By.ID, "push-qr").screenshot_as_png)
        self.say(f"signed in as {self.user}; the page shows a TOTP and a push QR code")
        run = self.tessera("import", totp_png)
        expect(run.returncode == 0, f"tessera import of the TOTP QR image failed: {run.stderr.strip()}")
        self.say("tessera import totp-qr.png: the TOTP account is in the vault")
        # confirming before the push code is scanned is refused
        self.fill("code", self.fresh_code())
        self.click("confirm")
        self.wait_page("register-scan")
        expect("push QR code" in self.text("error"), "confirming without the push token is not refused")
        run = self.tessera("push", "enroll", "--bits", "2048", "--image", push_png)
        expect(run.returncode == 0 and run.stdout.startswith("enrolled push token PIPU"),
               f"tessera push enroll --image failed: {run.stderr.strip()}")
        self.say(f"tessera push enroll --image push-qr.png: {run.stdout.strip()}")
        code = self.fresh_code()
        self.fill("code", code)
        self.click("confirm")
        self.wait_page("register-done")
        self.say("the first code from `tessera codes --json` is accepted: registration done")
        self.used_codes.add(code)
        tokens = self.pi.tokens(self.user, REALM)
        kinds = sorted((t["tokentype"], t["rollout_state"], t["active"]) for t in tokens)
        expect(kinds == [("push", "enrolled", True), ("totp", "enrolled", True)],
               f"privacyIDEA lists the user's tokens as {kinds}")
        listed = self.text("tokens")
        expect(all(t["serial"] in listed for t in tokens), "the final page does not list both tokens")

    def push_approve(self):
        number, request = self.push_reset()
        expect(number is None, "a number is shown without number matching")
        run = self.tessera("push", "approve", request["id"])
        expect(run.returncode == 0, f"tessera push approve failed: {run.stderr.strip()}")
        self.set_new_password()

    def push_number_matching(self):
        with self.number_matching():
            number, request = self.push_reset()
            expect(number, "the page shows no number to pick")
            choices = request["choices"]
            expect(number in choices, f"the page's number is not among the app's {len(choices)} choices")
            self.say(f"reset: the page shows {number}; Tessera offers {' '.join(choices)}")
            run = self.tessera("push", "approve", request["id"], "--answer", number)
            expect(run.returncode == 0, f"approve with the page's number failed: {run.stderr.strip()}")
            self.say(f"tessera push approve {request['id'][:8]} --answer {number}: {run.stdout.strip()}")
            self.set_new_password()

    def push_wrong_number(self):
        with self.number_matching():
            number, request = self.push_reset()
            expect(number, "the page shows no number to pick")
            wrong = next(c for c in request["choices"] if c != number)
            run = self.tessera("push", "approve", request["id"], "--answer", wrong)
            expect(run.returncode == 1 and "refused" in run.stderr,
                   f"a wrong number was not refused (exit {run.returncode})")
            # privacyIDEA keeps the challenge open after a wrong number (the user may try
            # again) and tells the portal nothing: the page waits on, and times out
            time.sleep(2)
            expect(self.read("reset-push", "waiting", timeout=5),
                   f"after a wrong number the page went to {self.page()!r}")
            self.expect_failed("timeout", timeout=self.args.push_timeout + 10)
            self.tessera("push", "deny", request["id"], "--reason", "cancel")   # tidy the phone

    def push_deny(self):
        _, request = self.push_reset()
        run = self.tessera("push", "deny", request["id"], "--reason", "not-me")
        expect(run.returncode == 0, f"tessera push deny failed: {run.stderr.strip()}")
        self.expect_failed("declined")
        expect("wasn't me" in self.text("reason"), "the page does not say the request was refused")

    def totp_code(self):
        self.start_reset("code")
        code = self.fresh_code()
        self.fill("code", f"{(int(code) + 500000) % 1000000:06d}")
        self.click("verify")
        self.wait_page("reset-code")
        expect("not accepted" in self.text("error"), "a wrong code is not refused")
        self.fill("code", code)
        self.click("verify")
        self.set_new_password()
        self.used_codes.add(code)
        # the same code again, in a new reset: privacyIDEA refuses a replay
        self.start_reset("code")
        self.fill("code", code)
        self.click("verify")
        self.wait_page("reset-code")
        expect("not accepted" in self.text("error"), "a reused code is not refused")
        expect(self.pi.login(self.user, self.password, REALM), "the password changed after a reused code")

    def push_timeout(self):
        _, request = self.push_reset()
        self.expect_failed("timeout", timeout=self.args.push_timeout + 10)
        expect("did not answer" in self.text("reason"), "the page does not say nobody answered")
        self.tessera("push", "deny", request["id"], "--reason", "cancel")

    def portal_hygiene(self):
        # every listening socket (state 0A) on the portal's port, IPv4 and IPv6
        bound = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in open(table).read().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == self.port:
                    bound.add(local)
        expect(bound == {"0100007F:%04X" % self.port}, f"the portal listens on {bound}, not 127.0.0.1 only")
        log = open(self.portal_log).read()
        expect("listening on http://127.0.0.1:" in log and f"{self.user} verified" in log,
               "the portal's log is missing its own lines")
        leaked = [i for i, s in enumerate(self.secrets) if re.search(rf"(?<![0-9A-Za-z]){re.escape(s)}(?![0-9A-Za-z])", log)]
        expect(not leaked, f"{len(leaked)} secret(s) (passwords/codes) appear in the portal's log")


def stop_with_parent():
    """Started with setsid by tests/sspr/common.sh, this process leads a process group holding
    the portal, chromedriver and Chromium. When the script that started it is gone (killed
    without running its traps), the whole group is ended, so nothing outlives the test."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGTERM)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def main():
    stop_with_parent()
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--pi-python", required=True)
    ap.add_argument("--push-timeout", type=int, default=12)
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    suite = Suite(args)
    if args.demo:
        plan = [("registration", suite.registration), ("number-matching", suite.push_number_matching)]
    else:
        plan = [("registration", suite.registration), ("push-approve", suite.push_approve),
                ("number-matching", suite.push_number_matching),
                ("wrong-number", suite.push_wrong_number), ("deny", suite.push_deny),
                ("totp-code", suite.totp_code), ("timeout", suite.push_timeout),
                ("portal-hygiene", suite.portal_hygiene)]
    passed = failed = 0
    try:
        suite.start()
        for name, scenario in plan:
            suite.scenario = name
            t0 = time.monotonic()
            try:
                scenario()
                passed += 1
                print(f"  ok   {name} ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception as err:  # one scenario's failure is reported, the others still run
                failed += 1
                # Selenium's messages carry the driver's stack trace: the first line says it
                first = str(err).strip().splitlines()[0] if str(err).strip() else ""
                print(f"  FAIL {name}: {err.__class__.__name__}: {first}", flush=True)
                try:
                    suite.shot("failure")
                except Exception:
                    pass
    except Exception as err:
        failed += 1
        print(f"  FAIL set-up: {err}", flush=True)
        print(suite.tail(os.path.join(suite.work, "portal.log")), file=sys.stderr)
    finally:
        suite.stop()
    print(f"screenshots: {suite.shots}")
    print(f"browser: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(plan) else 1


if __name__ == "__main__":
    sys.exit(main())
