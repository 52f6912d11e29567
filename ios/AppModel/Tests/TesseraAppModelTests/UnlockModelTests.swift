import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// First run and unlock, with device keys written in Swift that cancel or lose their key as the
/// Secure Enclave's would, and the password as the second way in.
@MainActor
final class UnlockModelTests: XCTestCase {
    private func unlockModel(_ path: String, _ keys: SwitchableKeys) -> UnlockModel {
        UnlockModel(path: path, keys: keys, clock: nil, kdf: cheapKdf)
    }

    /// A vault made by a first run with a password; the model that made it, still unlocked.
    private func firstRun() async -> (String, SwitchableKeys, UnlockModel) {
        let path = tempVaultPath()
        let keys = SwitchableKeys()
        let first = unlockModel(path, keys)
        await first.start()
        await first.create(password: "correct horse battery staple")
        return (path, keys, first)
    }

    func testFirstRunCreatesTheVaultWithAPasswordAsSecondWayIn() async throws {
        let path = tempVaultPath()
        let keys = SwitchableKeys()
        let unlock = unlockModel(path, keys)
        await unlock.start()
        XCTAssertEqual(unlock.stage, .firstRun)
        await unlock.create(password: "correct horse battery staple")
        XCTAssertEqual(unlock.stage, .unlocked)
        XCTAssertEqual(try unlock.vault?.hasPassword(), true)
        XCTAssertTrue(unlock.offerImport, "a new vault offers an import at once")
        unlock.importOffered()
        XCTAssertFalse(unlock.offerImport)
        unlock.lock()
        XCTAssertEqual(unlock.stage, .locked)
        XCTAssertNil(unlock.vault)

        // The next start opens it with the device key, nothing typed.
        let again = unlockModel(path, keys)
        await again.start()
        XCTAssertEqual(again.stage, .unlocked)
        XCTAssertFalse(again.offerImport, "only a new vault offers it")
    }

    func testCancelledPromptOffersThePasswordAndTheDeviceKeyAgain() async throws {
        let (path, keys, first) = await firstRun()
        first.lock()

        keys.mode = .cancels
        let unlock = unlockModel(path, keys)
        await unlock.start()
        XCTAssertEqual(unlock.stage, .passwordNeeded, "core: the vault has a password, so it is the next step")
        XCTAssertEqual(unlock.deviceKeyFailure, .cancelled, "the screen may offer Face ID again")
        XCTAssertNil(unlock.message, "cancelling is not an error to show")

        await unlock.unlockWithPassword("wrong password here")
        XCTAssertEqual(unlock.stage, .passwordNeeded)
        XCTAssertEqual(unlock.message, "Wrong password.")
        XCTAssertNil(unlock.vault)

        keys.mode = .works
        await unlock.unlockWithDevice()
        XCTAssertEqual(unlock.stage, .unlocked, "trying the device key again works")
        XCTAssertFalse(unlock.deviceKeyRenewed, "a cancelled key was never lost")
    }

    func testWithoutAPasswordACancelStaysLockedAndALostKeyIsFinal() async throws {
        let path = tempVaultPath()
        let keys = SwitchableKeys()
        let first = unlockModel(path, keys)
        await first.start()
        await first.create(password: nil)
        first.lock()

        keys.mode = .cancels
        let unlock = unlockModel(path, keys)
        await unlock.start()
        XCTAssertEqual(unlock.stage, .locked)
        XCTAssertNil(unlock.message)

        keys.mode = .lost
        await unlock.unlockWithDevice()
        XCTAssertEqual(unlock.stage, .keyLost)
        XCTAssertNotNil(unlock.message)
        XCTAssertNil(unlock.vault)
    }

    func testPasswordFallbackOpensAfterAWrongPassword() async throws {
        let (path, keys, first) = await firstRun()
        first.lock()
        keys.mode = .cancels
        let unlock = unlockModel(path, keys)
        await unlock.start()
        await unlock.unlockWithPassword("correct horse battery staple")
        XCTAssertEqual(unlock.stage, .unlocked)
        XCTAssertNil(unlock.message)
        XCTAssertNil(unlock.deviceKeyFailure)
    }

    func testLostDeviceKeyAsksForThePasswordAndIsRegisteredAgain() async throws {
        let (path, keys, first) = await firstRun()
        let id = try XCTUnwrap(first.vault).add(account: account("Kept", "across", secret: randomSecret()))
        first.lock()

        keys.mode = .lost
        let unlock = unlockModel(path, keys)
        await unlock.start()
        XCTAssertEqual(unlock.stage, .passwordNeeded)
        XCTAssertEqual(unlock.deviceKeyFailure, .lost)
        await unlock.unlockWithPassword("correct horse battery staple")
        XCTAssertEqual(unlock.stage, .unlocked)
        XCTAssertTrue(unlock.deviceKeyRenewed)
        XCTAssertEqual(try unlock.vault?.list(filter: nil).map(\.id), [id])
        unlock.lock()

        // The new device key was registered: the next start needs no password.
        let next = unlockModel(path, keys)
        await next.start()
        XCTAssertEqual(next.stage, .unlocked)
    }

    func testTheAppLockFollowsCoresTimeout() async throws {
        let unlock = unlockModel(tempVaultPath(), SwitchableKeys())
        await unlock.start()
        await unlock.create(password: nil)
        XCTAssertEqual(unlock.lockTimeout, defaultLockTimeout(), "a new installation starts with core's default")
        unlock.lockTimeout = .after(seconds: 60)
        unlock.enteredBackground(atMillis: 1_000)
        XCTAssertEqual(unlock.stage, .unlocked)
        unlock.enteredForeground(atMillis: 60_999)
        XCTAssertEqual(unlock.stage, .unlocked, "59.999 s away")
        unlock.enteredBackground(atMillis: 1_000)
        unlock.enteredForeground(atMillis: 61_000)
        XCTAssertEqual(unlock.stage, .locked, "a minute away")
        XCTAssertNil(unlock.vault)

        await unlock.unlockWithDevice()
        unlock.lockTimeout = .never
        unlock.enteredBackground(atMillis: 0)
        unlock.enteredForeground(atMillis: 86_400_000)
        XCTAssertEqual(unlock.stage, .unlocked, "never locks by itself")
        unlock.lockTimeout = .immediately
        unlock.enteredBackground(atMillis: 5)
        XCTAssertEqual(unlock.stage, .locked, "locked as it leaves, before any snapshot")

        await unlock.unlockWithDevice()
        unlock.lockTimeout = .after(seconds: 60)
        unlock.enteredBackground(atMillis: 10_000)
        unlock.enteredForeground(atMillis: 9_000)
        XCTAssertEqual(unlock.stage, .locked, "a clock that went back: the time away is unknown, so lock")
    }
}
