import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// A push device keystore for a slot with no push token: the poll never signs anything, so a
/// call reaching it is a failure of the test.
final class UnusedDeviceKeys: PushDeviceKeys, @unchecked Sendable {
    func generate(alias: String, bits: UInt32) throws -> Data { throw TesseraError.Platform(reason: "not in this test") }
    func sign(alias: String, message: Data) throws -> Data { throw TesseraError.Platform(reason: "not in this test") }
    func delete(alias: String) throws {}
}

/// The background refresh through core's poll slot, with the vault locked. Without a push
/// token here: polling a real privacyIDEA from the slot needs the push device key in a
/// platform keystore (`PushDeviceKeys`), which the Secure Enclave's Keychain is on iOS and
/// nothing in this Linux suite stands in for yet; core's and the Kotlin suite's tests poll
/// one (core/tests/push_slot.rs, tests/kotlin/src/PollSlotTest.kt).
@MainActor
final class BackgroundPollingTests: XCTestCase {
    func testPollingRunsWithTheVaultLockedOnlyOnceTurnedOnAndWithItsOwnKey() async throws {
        let path = tempVaultPath()
        let vaultKeys = SwitchableKeys()
        let vault = try Vault.create(path: path, keys: vaultKeys)
        let backgroundKeys = SwitchableKeys()
        let notifier = RecordingNotifier()
        func poll() async -> (posted: [InboxItem], problem: String?) {
            await BackgroundPolling.run(
                vaultPath: path, keys: backgroundKeys, deviceKeys: UnusedDeviceKeys(), transport: URLSessionTransport(),
                clock: nil, notifier: notifier)
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
