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
}
