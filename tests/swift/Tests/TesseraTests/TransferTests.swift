import Foundation
import Tessera
import XCTest

/// A stand-in for the platform keystore: XOR with a fixed pad (tests only).
final class XorKeys: KeyProvider {
    func wrap(key: Data) throws -> Data { Data(key.map { $0 ^ 0x5A }) }
    func unwrap(wrapped: Data) throws -> Data { Data(wrapped.map { $0 ^ 0x5A }) }
}

/// The password make_fixtures.py encrypted the fixtures with.
let fixturePassword = "correct horse battery staple ✓"

final class TransferTests: XCTestCase {
    private func fixture(_ name: String) throws -> Data {
        // This file is tests/swift/Tests/TesseraTests/TransferTests.swift.
        let repo = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Data(contentsOf: repo.appendingPathComponent("tests/fixtures/transfer/\(name)"))
    }

    private func newVault() throws -> Vault {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("tessera-transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try Vault.create(path: dir.appendingPathComponent("vault.sqlite").path, keys: XorKeys(), clock: nil)
    }

    func testImportsAnEncryptedTwoFasBackupWithAReportForEveryEntry() throws {
        let vault = try newVault()
        let report = try importIntoVault(
            vault: vault, data: try fixture("twofas_encrypted_salt256.2fas"),
            format: nil, password: fixturePassword, dryRun: false)
        XCTAssertEqual(report.format, .twoFas)
        XCTAssertEqual(report.entries.count, 8)
        XCTAssertEqual(report.imported, 5)
        XCTAssertEqual(report.failed, 3)
        guard case .imported = report.entries[0].outcome else {
            return XCTFail("first entry: \(report.entries[0].outcome)")
        }
        guard case .unsupported = report.entries[5].outcome else {
            return XCTFail("MOTP entry: \(report.entries[5].outcome)")
        }
        XCTAssertEqual(try vault.list(filter: nil).count, 5)
    }

    func testImportingTheSameFileTwiceDoublesNothing() throws {
        let vault = try newVault()
        let data = try fixture("otpauth_list.txt")
        let first = try importIntoVault(vault: vault, data: data, format: nil, password: nil, dryRun: false)
        let second = try importIntoVault(vault: vault, data: data, format: nil, password: nil, dryRun: false)
        XCTAssertEqual(second.imported, 0)
        XCTAssertEqual(second.duplicates, first.imported)
        XCTAssertEqual(try vault.list(filter: nil).count, Int(first.imported))
    }

    func testAWrongPasswordImportsNothing() throws {
        let vault = try newVault()
        XCTAssertThrowsError(try importIntoVault(
            vault: vault, data: try fixture("andotp_new.json.aes"),
            format: nil, password: "not it", dryRun: false)) {
            guard case TesseraError.WrongPassword = $0 else {
                return XCTFail("expected WrongPassword, got \($0)")
            }
        }
        XCTAssertEqual(try vault.list(filter: nil).count, 0)
    }

    func testAegisExportRoundTripsIntoAnotherVault() throws {
        let source = try newVault()
        _ = try importIntoVault(vault: source, data: try fixture("freeotp_plus.json"), format: nil, password: nil, dryRun: false)
        let out = try exportFromVault(vault: source, format: .aegis, password: "export password")
        XCTAssertEqual(detectImportFormat(data: out.data), .aegis)
        let target = try newVault()
        let report = try importIntoVault(vault: target, data: out.data, format: nil, password: "export password", dryRun: false)
        XCTAssertEqual(report.imported, 4)
        XCTAssertEqual(report.failed, 0)
    }

    func testAppExportsImportIntoAnotherVaultAndNameWhatTheyLeaveOut() throws {
        let source = try newVault()
        // GitHub, a HOTP bank, Steam, SHA256/8 digits/60 s and SHA512/10 digits.
        _ = try importIntoVault(vault: source, data: try fixture("aegis_plain.json"))
        let cases: [(ExportFormat, String?, [String])] = [
            (.twoFas, "export password", ["TenDigits (ten)"]),
            (.ente, "export password", []),
            (.proton, "export password", ["Example Bank (bob)", "TenDigits (ten)"]),
            (.bitwarden, nil, ["Example Bank (bob)"]),
        ]
        for (format, password, leftOut) in cases {
            XCTAssertEqual(
                exportFormatInfo(format: format).encryption, password == nil ? .never : .optional, "\(format)")
            let out = try exportFromVault(
                vault: source, format: format, password: password, unencrypted: password == nil)
            XCTAssertEqual(out.skipped.map(\.name), leftOut, "\(format)")
            XCTAssertTrue(out.skipped.allSatisfy { !$0.reason.isEmpty }, "\(format)")
            let target = try newVault()
            let report = try importIntoVault(vault: target, data: out.data, password: password)
            XCTAssertEqual(report.imported, UInt64(5 - leftOut.count), "\(format)")
            XCTAssertEqual(report.failed, 0, "\(format)")
        }
        assertThrows(
            "InvalidInput", try exportFromVault(vault: source, format: .bitwarden, password: "never encrypted"))
    }

    func testAnEncryptedFileWithoutAPasswordAsksForOne() throws {
        let vault = try newVault()
        for name in ["aegis_encrypted.json", "ente_encrypted.json", "proton_encrypted.json"] {
            assertThrows("PasswordRequired", try importIntoVault(vault: vault, data: try fixture(name)))
        }
        XCTAssertEqual(try vault.list(filter: nil).count, 0, "nothing was imported")
        // The app asks, and calls again with the password.
        let report = try importIntoVault(
            vault: vault, data: try fixture("aegis_encrypted.json"), password: fixturePassword)
        XCTAssertEqual(report.imported, 5)
    }

    func testProgressReachesASwiftListenerAndAThrowingOneCannotBreakTheImport() throws {
        for explode in [false, true] {
            let vault = try newVault()
            let progress = RecordingProgress(explode: explode)
            let report = try importIntoVault(
                vault: vault, data: try fixture("aegis_plain.json"), progress: progress)
            let calls = progress.recorded
            XCTAssertFalse(calls.isEmpty, "the listener was called")
            XCTAssertEqual(calls.last?.0, calls.last?.1, "the last call reports everything written")
            XCTAssertTrue(zip(calls, calls.dropFirst()).allSatisfy { $0.0 <= $1.0 }, "\(calls)")
            XCTAssertEqual(UInt64(try vault.list(filter: nil).count), report.imported)
        }
    }

    func testExportProtectionIsCoresRule() throws {
        XCTAssertEqual(exportFormatInfo(format: .aegis).encryption, .optional)
        XCTAssertEqual(exportFormatInfo(format: .otpauthList).encryption, .never)
        XCTAssertEqual(exportFormatInfo(format: .googleMigration).encryption, .never)
        XCTAssertEqual(exportFormatInfo(format: .tesseraBackup).encryption, .always)
        XCTAssertEqual(exportFormatInfo(format: .tesseraBackup).name, "tessera")
        let vault = try newVault()
        _ = try importIntoVault(vault: vault, data: try fixture("aegis_plain.json"))
        // Plain output only with the user's explicit choice.
        assertThrows("InvalidInput", try exportFromVault(vault: vault, format: .otpauthList))
        assertThrows("PasswordRequired", try exportFromVault(vault: vault, format: .aegis))
        assertThrows("PasswordRequired", try exportFromVault(vault: vault, format: .tesseraBackup))
        assertThrows(
            "InvalidInput", try exportFromVault(vault: vault, format: .tesseraBackup, unencrypted: true))
        let plain = try exportFromVault(vault: vault, format: .aegis, unencrypted: true)
        XCTAssertEqual(detectImportFormat(data: plain.data), .aegis)
        let backup = try exportFromVault(vault: vault, format: .tesseraBackup, password: "backup password")
        XCTAssertEqual(detectImportFormat(data: backup.data), .tesseraBackup)
    }
}

/// A progress bar in Swift: records every call; with `explode`, throws from each.
final class RecordingProgress: ImportProgressListener, @unchecked Sendable {
    private let explode: Bool
    private let lock = NSLock()
    private var calls: [(UInt64, UInt64)] = []
    var recorded: [(UInt64, UInt64)] { lock.withLock { calls } }

    init(explode: Bool) { self.explode = explode }

    func onProgress(written: UInt64, total: UInt64) throws {
        lock.withLock { calls.append((written, total)) }
        if explode { throw KeystoreExploded() }
    }
}
