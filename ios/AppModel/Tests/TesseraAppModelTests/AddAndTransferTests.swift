import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// Adding accounts (links classified by core, manual entry) and moving them (import with a
/// password prompt and a per-entry report, export with consent).
@MainActor
final class AddAndTransferTests: XCTestCase {
    func testLinksAreRoutedByWhatCoreSaysTheyAre() async throws {
        let vault = try makeVault()
        let notifier = RecordingNotifier()
        let add = AddAccountModel(
            vault: vault, push: PushClient(vault: vault, deviceKeys: nil, transport: URLSessionTransport()), notifier: notifier)

        let otp = await add.open(link: "otpauth://totp/Example:alice@example.com?secret=\(rfcSecret)&issuer=Example")
        guard case .added(let id) = otp else { return XCTFail("not added: \(otp)") }
        XCTAssertEqual(try vault.list(filter: nil).first { $0.id == id }?.issuer, "Example")

        // A Google Authenticator transfer: made by a second vault's export, imported here.
        let other = try makeVault()
        _ = try other.add(account: account("Moved", "one", secret: randomSecret()))
        _ = try other.add(account: account("Moved", "two", secret: randomSecret()))
        let migration = try XCTUnwrap(exportFromVault(vault: other, format: .googleMigration, password: nil, unencrypted: true).uris.first)
        XCTAssertTrue(migration.hasPrefix("otpauth-migration://"))
        let imported = await add.open(link: migration)
        guard case .imported(let report) = imported else { return XCTFail("not imported: \(imported)") }
        XCTAssertEqual(report.format, .googleMigration)
        XCTAssertEqual(report.entries.map(\.name).sorted(), ["Moved (one)", "Moved (two)"])
        XCTAssertEqual(try vault.list(filter: ListFilter(text: "Moved", group: nil, favoritesOnly: false)).count, 2)

        let push = "otpauth://pipush/PIPU0001?url=https://pi.example/ttype/push&ttl=10&issuer=privacyIDEA"
            + "&enrollment_credential=abc&v=1&serial=PIPU0001&sslverify=1"
        guard case .pushEnrollment = try AddAccountModel.classify(push) else { return XCTFail("not a push enrollment") }

        let before = try vault.list(filter: nil).count
        let bad = await add.open(link: "https://example.com/not-an-account")
        guard case .failed(let why) = bad else { return XCTFail("accepted a web link: \(bad)") }
        XCTAssertFalse(why.isEmpty)
        XCTAssertEqual(try vault.list(filter: nil).count, before, "nothing added")
        XCTAssertEqual(notifier.permissionRequests, 0, "only a push enrollment asks to post notifications")
    }

    func testManualEntryStartsFromCoreDefaultsAndRejectsABadSecret() async throws {
        let vault = try makeVault()
        let add = AddAccountModel(vault: vault, push: PushClient(vault: vault, deviceKeys: nil, transport: nil))
        let totp = add.defaults(for: .totp)
        XCTAssertEqual([totp.digits], [6])
        XCTAssertEqual(totp.period, 30)
        // Steam Guard codes are five characters (Steam's own format).
        XCTAssertEqual(add.defaults(for: .steam).digits, 5)
        let added = await add.add(issuer: "Typed", label: "in", secret: "JBSW Y3DP EHPK 3PXP", params: totp)
        guard case .added = added else { return XCTFail("not added: \(added)") }
        let bad = await add.add(issuer: "Typed", label: "bad", secret: "not base32 !", params: totp)
        guard case .failed = bad else { return XCTFail("a bad secret was accepted") }
        XCTAssertEqual(try vault.list(filter: nil).map(\.label), ["in"])
    }

    func testEncryptedBackupAsksForItsPasswordAndReportsEveryEntry() async throws {
        let source = try makeVault()
        let bank = account("Bank", "carol", secret: randomSecret())
        _ = try source.add(account: bank)
        _ = try source.add(account: account("Mail", "dave", secret: randomSecret()))
        let backup = try source.exportBackup(password: "backup password 42", kdf: cheapKdf)

        let vault = try makeVault()
        _ = try vault.add(account: bank)
        let transfer = TransferModel(vault: vault)
        await transfer.importFile(backup)
        XCTAssertEqual(transfer.importStage, .needsPassword(.tesseraBackup))
        XCTAssertNil(transfer.message)

        await transfer.submitPassword("not the password")
        XCTAssertEqual(transfer.importStage, .needsPassword(.tesseraBackup))
        XCTAssertEqual(transfer.message, "Wrong password.")
        XCTAssertEqual(try vault.list(filter: nil).count, 1, "nothing imported")

        await transfer.submitPassword("backup password 42")
        guard case .report(let report) = transfer.importStage else { return XCTFail("\(transfer.importStage)") }
        XCTAssertEqual(report.imported, 1)
        XCTAssertEqual(report.duplicates, 1)
        XCTAssertEqual(report.entries.count, 2)
        XCTAssertEqual(try vault.list(filter: nil).count, 2)
    }

    func testAPlainExportWaitsForConsentAnEncryptedOneDoesNot() async throws {
        let vault = try makeVault()
        _ = try vault.add(account: account("Bank", "carol", secret: rfcSecret))
        let transfer = TransferModel(vault: vault)

        await transfer.export(.otpauthList, password: nil)
        XCTAssertEqual(transfer.exportStage, .needsConsent(.otpauthList))
        await transfer.confirmPlainExport()
        guard case .ready(let data, let file, let skipped) = transfer.exportStage else {
            return XCTFail("\(transfer.exportStage)")
        }
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("secret=\(rfcSecret)"))
        // Core names the file (docs of `export_file`): its format, the date, the extension.
        XCTAssertTrue(file.fileName.hasPrefix("tessera-"), file.fileName)
        XCTAssertTrue(file.fileName.hasSuffix(".txt"), file.fileName)
        XCTAssertEqual(file.extension, "txt")
        XCTAssertEqual(file.mimeType, "text/plain")
        XCTAssertEqual(skipped, [])
        transfer.finishExport()
        XCTAssertEqual(transfer.exportStage, .idle)

        await transfer.export(.aegis, password: "export password 7")
        guard case .ready(let encrypted, let aegisFile, _) = transfer.exportStage else { return XCTFail("\(transfer.exportStage)") }
        XCTAssertEqual(aegisFile.mimeType, "application/json")
        XCTAssertFalse(aegisFile.fileName.contains("plain"), "an encrypted Aegis file is not called plain")
        XCTAssertFalse(String(decoding: encrypted, as: UTF8.self).contains(rfcSecret), "encrypted")
        XCTAssertEqual(detectImportFormat(data: encrypted), .aegis)
        transfer.finishExport()

        // Core's word on each format drives the screen: a Tessera backup is always encrypted,
        // so without a password it is not offered for consent; core says what is missing.
        XCTAssertEqual(transfer.exportFormats.first { $0.format == .tesseraBackup }?.encryption, .always)
        // Every format once, Tessera's backup first, each with the name its app's users know.
        let offered = transfer.exportFormats
        XCTAssertEqual(offered.first?.format, .tesseraBackup)
        XCTAssertEqual(Set(offered.map(\.format)).count, offered.count)
        XCTAssertEqual(
            Set(offered.map(\.format)),
            [.tesseraBackup, .aegis, .twoFas, .ente, .proton, .bitwarden, .otpauthList, .googleMigration])
        XCTAssertEqual(offered.first { $0.format == .twoFas }?.title, "2FAS")
        await transfer.export(.tesseraBackup, password: nil)
        guard case .failed(let why) = transfer.exportStage else { return XCTFail("\(transfer.exportStage)") }
        XCTAssertFalse(why.isEmpty)
        await transfer.export(.tesseraBackup, password: "backup password 42")
        guard case .ready(let backup, let backupFile, _) = transfer.exportStage else { return XCTFail("\(transfer.exportStage)") }
        XCTAssertEqual(backupFile.extension, "tsrbackup")
        XCTAssertEqual(detectImportFormat(data: backup), .tesseraBackup)
    }
}
