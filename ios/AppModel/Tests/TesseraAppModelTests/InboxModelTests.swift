import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// The login page's side of a push sign-in: privacyIDEA's /validate/check, sent through the
/// same URLSessionTransport the app uses.
struct LoginPage {
    let base: String
    let user: String
    let transport = URLSessionTransport()

    private func check(_ fields: [String: String]) throws -> [String: Any] {
        let response = try transport.send(request: HttpRequest(
            post: true, url: base + "/validate/check", query: [],
            form: fields.map { HttpField(name: $0.key, value: $0.value) }, verifyTls: true))
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }

    /// Starts a push sign-in; the transaction id and, with number matching, the number the
    /// login page shows.
    func trigger() throws -> (transaction: String, number: String?) {
        let detail = try check(["user": user, "pass": "push-pin"])["detail"] as? [String: Any] ?? [:]
        return (detail["transaction_id"] as? String ?? "", detail["presence_answer"] as? String)
    }

    /// The challenge's state without ending it: pending, accept or declined.
    func status(_ transaction: String) throws -> String {
        let response = try transport.send(request: HttpRequest(
            post: false, url: base + "/validate/polltransaction",
            query: [HttpField(name: "transaction_id", value: transaction)], form: [], verifyTls: true))
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (json?["detail"] as? [String: Any])?["challenge_status"] as? String ?? ""
    }

    /// ACCEPT or REJECT once the phone answered.
    func finish(_ transaction: String) throws -> String {
        let result = try check(["user": user, "pass": "", "transaction_id": transaction])["result"] as? [String: Any]
        return result?["authentication"] as? String ?? ""
    }
}

/// A push enrollment that did not happen (the test fails with it).
struct NotEnrolled: Error {
    let result: AddResult
}

/// The push inbox against the real privacyIDEA of tests/ios-app/run.sh (TESSERA_PI_*), over
/// URLSessionTransport (FoundationNetworking on Linux).
@MainActor
final class InboxModelTests: XCTestCase {
    /// Enrolls the fixture's push token through the add-account screen, as a scanned QR would.
    private func enrolledInbox(_ uri: String, presence: UserPresence? = nil, clock: Clock? = nil) async throws -> (InboxModel, RecordingNotifier, String) {
        let vault = try makeVault(clock: clock)
        let push = PushClient(vault: vault, deviceKeys: nil, transport: URLSessionTransport())
        let notifier = RecordingNotifier()
        let add = AddAccountModel(vault: vault, push: push, notifier: notifier)
        let enrolled = await add.open(link: uri)
        guard case .enrolled(let serial, _, _) = enrolled else { throw NotEnrolled(result: enrolled) }
        XCTAssertEqual(notifier.permissionRequests, 1, "an enrollment asks to post notifications")
        return (InboxModel(push: push, notifier: notifier, presence: presence), notifier, serial)
    }

    func testShowsARequestWithItsTokenAndAnswersApproveAndNotMe() async throws {
        let pi = try pushFixture("plain")
        let (inbox, notifier, serial) = try await enrolledInbox(pi.uri)
        let page = LoginPage(base: pi.base, user: pi.user)

        let first = try page.trigger()
        // The background task while the app is open: the session's inbox polls (a slot at
        // this path does not exist, and would not be used).
        let background = await BackgroundPolling.refresh(
            inbox: inbox, vaultPath: tempVaultPath(), keys: SwitchableKeys(), deviceKeys: UnusedDeviceKeys(),
            transport: nil, clock: nil, notifier: nil)
        XCTAssertNil(background.problem)
        XCTAssertEqual(background.posted, inbox.items)
        XCTAssertNil(inbox.message)
        XCTAssertEqual(inbox.items.count, 1)
        let item = try XCTUnwrap(inbox.items.first)
        XCTAssertEqual(item.serial, serial)
        XCTAssertEqual(inbox.tokens.map(\.serial), [serial])
        XCTAssertEqual(item.issuer, inbox.tokens[0].issuer)
        XCTAssertEqual(item.label, inbox.tokens[0].label)
        XCTAssertFalse(item.question.isEmpty)
        XCTAssertEqual(item.choices, [])
        XCTAssertTrue(item.isNew)
        XCTAssertNil(item.forceUnlock)
        XCTAssertFalse(item.hidden)
        XCTAssertEqual(item.displayName, inbox.tokens[0].displayName)
        XCTAssertGreaterThan(item.secondsLeft, 0, "just sent: time left to answer")
        XCTAssertEqual(item.secondsLeft(at: item.listedAt), item.secondsLeft)
        XCTAssertEqual(item.secondsLeft(at: item.listedAt.addingTimeInterval(TimeInterval(item.secondsLeft))), 0)
        XCTAssertEqual(notifier.posted.map(\.id), [item.id], "the background refresh posts the new request")

        await inbox.approve(item.id)
        XCTAssertEqual(inbox.lastAnswer, .accepted(displayCode: nil))
        XCTAssertEqual(inbox.items, [])
        XCTAssertEqual(try page.finish(first.transaction), "ACCEPT")

        let second = try page.trigger()
        let fetched = await inbox.refresh()
        XCTAssertEqual(fetched.count, 1)
        let again = await inbox.refresh()
        XCTAssertEqual(again, [], "polled again: nothing new")
        XCTAssertEqual(inbox.items.map(\.isNew), [false])
        await inbox.deny(try XCTUnwrap(inbox.items.first).id, .notMe)
        XCTAssertEqual(inbox.items, [])
        XCTAssertEqual(try page.finish(second.transaction), "REJECT")

        await inbox.removeToken(serial)
        XCTAssertEqual(inbox.tokens, [])
    }

    func testANotificationOpensItsRequestOrSaysWhatBecameOfIt() async throws {
        let pi = try pushFixture("opened")
        // The vault's clock starts at the real time (the server checks the poll's timestamp)
        // and is moved on later to let a request expire without waiting for it.
        let clock = TestClock(UInt64(Date().timeIntervalSince1970))
        let (inbox, notifier, _) = try await enrolledInbox(pi.uri, clock: clock)
        let page = LoginPage(base: pi.base, user: pi.user)

        let first = try page.trigger()
        await inbox.refreshInBackground()
        let id = try XCTUnwrap(notifier.posted.first?.id, inbox.message ?? "no notification")
        await inbox.open(requestId: id)
        XCTAssertEqual(inbox.opened, .pending(id: id))
        XCTAssertEqual(inbox.items.map(\.id), [id])

        await inbox.approve(id)
        XCTAssertEqual(inbox.lastAnswer, .accepted(displayCode: nil))
        XCTAssertNil(inbox.opened, "answered: the opened request left the inbox")
        XCTAssertEqual(try page.finish(first.transaction), "ACCEPT")
        await inbox.open(requestId: id)
        XCTAssertEqual(inbox.opened, .closed, "its notification tapped again")

        _ = try page.trigger()
        await inbox.refreshInBackground()
        let late = try XCTUnwrap(notifier.posted.last?.id)
        XCTAssertNotEqual(late, id)
        clock.now += 600
        await inbox.open(requestId: late)
        XCTAssertEqual(inbox.opened, .expired, "tapped ten minutes later")
        XCTAssertEqual(inbox.items, [])

        await inbox.open(requestId: "4E4F5448494E47")
        XCTAssertEqual(inbox.opened, .unknown)
        inbox.dismissOpened()
        XCTAssertNil(inbox.opened)
    }

    func testNumberMatchingRefusesAWrongNumberAndTakesTheRightOne() async throws {
        let pi = try pushFixture("match")
        let (inbox, _, _) = try await enrolledInbox(pi.uri)
        let page = LoginPage(base: pi.base, user: pi.user)

        let sign = try page.trigger()
        let shown = try XCTUnwrap(sign.number, "the number-matching policy of run.sh shows a number")
        await inbox.refresh()
        let item = try XCTUnwrap(inbox.items.first)
        XCTAssertEqual(item.choices.count, 4)
        XCTAssertTrue(item.choices.contains(shown))

        await inbox.choose(item.id, try XCTUnwrap(item.choices.first { $0 != shown }))
        XCTAssertEqual(inbox.lastAnswer, .refused)
        XCTAssertEqual(inbox.items.map(\.id), [item.id], "a wrong number may be tried again")

        await inbox.choose(item.id, shown)
        XCTAssertEqual(inbox.lastAnswer, .accepted(displayCode: nil))
        XCTAssertEqual(try page.finish(sign.transaction), "ACCEPT")
    }

    func testAppForceUnlockHidesTheRequestUntilTheUserAuthenticates() async throws {
        let pi = try pushFixture("locked")
        let presence = ScriptedPresence([false, true])
        let (inbox, notifier, _) = try await enrolledInbox(pi.uri, presence: presence)
        let page = LoginPage(base: pi.base, user: pi.user)

        let sign = try page.trigger()
        await inbox.refreshInBackground()
        let item = try XCTUnwrap(inbox.items.first)
        XCTAssertEqual(item.forceUnlock, .biometric, "the enrollment policy push_app_force_unlock=biometric")
        XCTAssertTrue(item.hidden)
        XCTAssertEqual(item.question, "", "nothing of the request before the user authenticated")
        XCTAssertEqual(notifier.posted.map(\.question), [""], "nor in the notification")

        await inbox.approve(item.id)
        XCTAssertNil(inbox.lastAnswer, "no answer before the authentication")
        XCTAssertEqual(try page.status(sign.transaction), "pending", "the server still waits")

        await inbox.reveal(item.id)
        XCTAssertTrue(try XCTUnwrap(inbox.items.first).hidden, "the user cancelled the prompt")
        await inbox.reveal(item.id)
        XCTAssertEqual(presence.demands, [.biometric, .biometric])
        let shown = try XCTUnwrap(inbox.items.first)
        XCTAssertFalse(shown.hidden)
        XCTAssertFalse(shown.question.isEmpty)

        await inbox.approve(shown.id)
        XCTAssertEqual(inbox.lastAnswer, .accepted(displayCode: nil))
        XCTAssertEqual(try page.finish(sign.transaction), "ACCEPT")
    }

    func testSettingsSyncTheServerTimeFromThePushTokensServer() async throws {
        let pi = try pushFixture("time")
        let vault = try makeVault()
        let push = PushClient(vault: vault, deviceKeys: nil, transport: URLSessionTransport())
        let settings = SettingsModel(vault: vault, push: push, defaults: UserDefaults(suiteName: UUID().uuidString)!, unlock: nil)
        await settings.syncTime()
        XCTAssertNil(settings.serverTime, "no token yet: nothing to sync with")
        XCTAssertTrue(settings.message?.contains("push token") == true, settings.message ?? "no message")

        guard case .enrolled = await AddAccountModel(vault: vault, push: push).open(link: pi.uri) else {
            return XCTFail("not enrolled")
        }
        await settings.syncTime()
        let time = try XCTUnwrap(settings.serverTime, settings.message ?? "")
        XCTAssertTrue(time.source.contains(try XCTUnwrap(URL(string: pi.base)?.host)), time.source)
        // Server and phone share this machine's clock; an HTTP Date has whole seconds.
        XCTAssertLessThanOrEqual(abs(time.offsetSeconds), 1)
        XCTAssertFalse(time.warning)
        XCTAssertEqual(settings.serverTimeText, describeClockOffset(offsetSeconds: time.offsetSeconds, source: time.source))

        await settings.resetServerTime()
        XCTAssertNil(settings.serverTime)
    }
}
