import Foundation
import Tessera
import XCTest

/// Background polling from Swift, without a server: turning the poll slot on and off, and
/// what a background task is told when it opens one. (Polling through it against a real
/// privacyIDEA needs push device keys outside the vault: the iOS app suite does it with
/// OpenSSL's standing in for the Keychain, ios/AppModel's BackgroundPollingTests, as do the
/// Kotlin suite's PollSlotTest and core's push_slot tests.)
final class PollSlotTests: XCTestCase {
    func testTheSlotOpensWithItsOwnKeyOnlyAndIsGoneWhenTurnedOff() throws {
        let path = tempVaultPath()
        let vault = try Vault.create(path: path, keys: PadKeyProvider())
        let background = PadKeyProvider()
        XCTAssertFalse(try vault.hasPollSlot())
        XCTAssertThrowsError(try PollSlot(vaultPath: path, keys: background, deviceKeys: UnusedPushKeys())) {
            guard case TesseraError.NotFound = $0 else { return XCTFail("\($0)") }
        }
        try vault.enablePollSlot(keys: background)
        XCTAssertTrue(try vault.hasPollSlot())
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-pollslot"))

        // a background task: the vault stays locked, the slot opens with the background key
        vault.lock()
        let slot = try PollSlot(vaultPath: path, keys: background, deviceKeys: UnusedPushKeys())
        XCTAssertEqual(try slot.pending(), [])
        XCTAssertEqual(try slot.poll(), PollResult(received: [], rejected: [], failed: []), "no tokens, nothing to ask")
        XCTAssertThrowsError(try PollSlot(vaultPath: path, keys: PadKeyProvider(), deviceKeys: UnusedPushKeys())) {
            guard case TesseraError.WrongKey = $0 else { return XCTFail("\($0)") }
        }
    }

    func testTurningItOffDeletesTheSlot() throws {
        let path = tempVaultPath()
        let vault = try Vault.create(path: path, keys: PadKeyProvider())
        XCTAssertFalse(try vault.disablePollSlot(), "it was off")
        let background = PadKeyProvider()
        try vault.enablePollSlot(keys: background)
        XCTAssertTrue(try vault.disablePollSlot())
        XCTAssertFalse(try vault.hasPollSlot())
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-pollslot"))
        XCTAssertThrowsError(try PollSlot(vaultPath: path, keys: background, deviceKeys: UnusedPushKeys()))
    }
}
