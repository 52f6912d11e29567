import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

#if canImport(OpenSslKeys)
    import OpenSslKeys
#endif

/// A push device keystore for a slot with no push token: the poll never signs anything, so a
/// call reaching it is a failure of the test.
final class UnusedDeviceKeys: PushDeviceKeys, @unchecked Sendable {
    func generate(alias: String, bits: UInt32) throws -> Data { throw TesseraError.Platform(reason: "not in this test") }
    func sign(alias: String, message: Data) throws -> Data { throw TesseraError.Platform(reason: "not in this test") }
    func delete(alias: String) throws {}
}

/// A transport that counts the requests it passes on: shows which steps reach the server.
final class CountingTransport: PushTransport, @unchecked Sendable {
    private let inner = URLSessionTransport()
    private let lock = NSLock()
    private var sent = 0
    var count: Int { lock.withLock { sent } }

    func send(request: HttpRequest) throws -> HttpResponse {
        lock.withLock { sent += 1 }
        return try inner.send(request: request)
    }
}

/// The background refresh (`BGAppRefreshTask`) through core's poll slot, with the vault locked:
/// first without a push token, then against the real privacyIDEA of tests/ios-app/run.sh.
@MainActor
final class BackgroundPollingTests: XCTestCase {
    /// What the app does, end to end: a push token enrolled through the add screen with the
    /// push device keys outside the vault, background polling turned on at the unlock, the
    /// vault locked (its key would need Face ID), a sign-in started on the login page; then
    /// the background task (`BackgroundPolling.refresh` with no open session, as
    /// `AppServices.backgroundRefresh` calls it) finds the request through the slot and posts
    /// its notification, and after the user opens the app from it, approving is accepted.
    ///
    /// The push device keys: on iOS, RSA keys in the Keychain (`KeychainPushKeys`); here
    /// OpenSSL's (`OpenSslPushKeys`, tests/swift/Sources/OpenSslKeys), as Swift on Linux has no
    /// Security framework. Tessera's own software keys (what the FFI's desktop build offers
    /// without a `PushDeviceKeys`) cannot stand in: they live in the vault, which the slot
    /// never opens.
    #if canImport(OpenSslKeys)
    func testTheBackgroundRefreshFindsARealRequestWithTheVaultLockedAndItIsApprovedAfterOpening() async throws {
        let pi = try pushFixture("slot")
        let pushKeys = OpenSslPushKeys()
        let path = tempVaultPath()
        let vaultKeys = SwitchableKeys()
        let backgroundKeys = SwitchableKeys()
        let page = LoginPage(base: pi.base, user: pi.user)

        // The app, unlocked: the token enrolled as a scanned QR code would, polling turned on.
        var vault: Vault? = try Vault.create(path: path, keys: vaultKeys)
        let enrolled = await AddAccountModel(
            vault: vault!, push: PushClient(vault: vault!, deviceKeys: pushKeys, transport: URLSessionTransport())
        ).open(link: pi.uri)
        guard case .enrolled(let serial, let issuer, let label) = enrolled else { throw NotEnrolled(result: enrolled) }
        XCTAssertEqual(pushKeys.bitsMade, [2048], "one RSA-2048 device key, in the platform keystore")
        let turnedOn = await BackgroundPolling.enable(vault: vault!, keys: backgroundKeys)
        XCTAssertNil(turnedOn)
        // The app is left and locks; the vault's key now needs Face ID, which a background
        // task cannot ask for.
        vault!.lock()
        vault = nil
        vaultKeys.mode = .cancels

        let sign = try page.trigger()
        let notifier = RecordingNotifier()
        let transport = CountingTransport()
        func backgroundTask() async -> (posted: [InboxItem], problem: String?) {
            await BackgroundPolling.refresh(
                inbox: nil, vaultPath: path, keys: backgroundKeys, deviceKeys: pushKeys, transport: transport, clock: nil,
                notifier: notifier)
        }
        let signedBefore = pushKeys.signed
        let found = await backgroundTask()
        XCTAssertNil(found.problem, found.problem ?? "")
        XCTAssertEqual(vaultKeys.unwraps, 0, "the vault stayed locked")
        XCTAssertGreaterThan(transport.count, 0, "the slot asked the server")
        XCTAssertGreaterThan(pushKeys.signed, signedBefore, "the poll was signed with the platform's device key")
        let item = try XCTUnwrap(found.posted.first)
        XCTAssertEqual(found.posted.count, 1)
        XCTAssertEqual(notifier.posted, found.posted, "a local notification per new request")
        XCTAssertEqual(item.serial, serial)
        XCTAssertEqual(item.issuer, issuer)
        XCTAssertEqual(item.label, label)
        XCTAssertFalse(item.question.isEmpty, "no app_force_unlock on this token: the question is in the notification")
        XCTAssertFalse(item.hidden)
        XCTAssertGreaterThan(item.secondsLeft, 0)
        XCTAssertEqual(try page.status(sign.transaction), "pending", "the slot fetches, it never answers")

        let again = await backgroundTask()
        XCTAssertNil(again.problem, again.problem ?? "")
        XCTAssertEqual(again.posted, [], "the next background refresh does not notify the same request again")
        XCTAssertEqual(notifier.posted.count, 1)

        // The user taps the notification: the app unlocks and the inbox opens its request,
        // taken in from the slot without asking the server.
        vaultKeys.mode = .works
        let unlock = UnlockModel(path: path, keys: vaultKeys, clock: nil)
        await unlock.start()
        XCTAssertEqual(unlock.stage, .unlocked, unlock.message ?? "")
        let open = try XCTUnwrap(unlock.vault)
        let inbox = InboxModel(
            push: PushClient(vault: open, deviceKeys: pushKeys, transport: transport), notifier: RecordingNotifier(),
            presence: nil)
        let sentBefore = transport.count
        await inbox.open(requestId: item.id)
        XCTAssertEqual(inbox.opened, .pending(id: item.id), inbox.message ?? "")
        XCTAssertEqual(transport.count, sentBefore, "the vault took the request in from the slot")
        XCTAssertEqual(inbox.items.map(\.id), [item.id])

        await inbox.approve(item.id)
        XCTAssertEqual(inbox.lastAnswer, .accepted(displayCode: nil), inbox.message ?? "")
        XCTAssertEqual(inbox.items, [])
        XCTAssertEqual(try page.finish(sign.transaction), "ACCEPT")
    }
    #else
    func testTheBackgroundRefreshFindsARealRequestWithTheVaultLockedAndItIsApprovedAfterOpening() throws {
        throw XCTSkip("the push device keys are the Keychain's in the app (ios/App); this test's stand-in is OpenSSL's, Linux only")
    }
    #endif

    func testPollingRunsWithTheVaultLockedOnlyOnceTurnedOnAndWithItsOwnKey() async throws {
        let path = tempVaultPath()
        let vaultKeys = SwitchableKeys()
        let vault = try Vault.create(path: path, keys: vaultKeys)
        let backgroundKeys = SwitchableKeys()
        let notifier = RecordingNotifier()
        func poll() async -> (posted: [InboxItem], problem: String?) {
            await BackgroundPolling.refresh(
                inbox: nil, vaultPath: path, keys: backgroundKeys, deviceKeys: UnusedDeviceKeys(),
                transport: URLSessionTransport(), clock: nil, notifier: notifier)
        }

        let off = await poll()
        XCTAssertEqual(off.posted, [])
        XCTAssertNotNil(off.problem, "background polling is off until an unlock turns it on")

        let refused = await BackgroundPolling.enable(vault: vault, keys: backgroundKeys)
        XCTAssertNil(refused)
        XCTAssertTrue(try vault.hasPollSlot())
        vault.lock()
        // The vault's own key would ask for Face ID in the background: the slot never uses it.
        vaultKeys.mode = .cancels
        let unwrapsBefore = vaultKeys.unwraps

        let locked = await poll()
        XCTAssertNil(locked.problem, locked.problem ?? "")
        XCTAssertEqual(locked.posted, [], "no push token: nothing fetched, nothing notified")
        XCTAssertEqual(vaultKeys.unwraps, unwrapsBefore, "the vault stayed locked")

        // The background key refused (e.g. the phone was never unlocked since it started).
        backgroundKeys.mode = .cancels
        let noKey = await poll()
        XCTAssertNotNil(noKey.problem)
        XCTAssertEqual(notifier.posted, [])
    }
}
