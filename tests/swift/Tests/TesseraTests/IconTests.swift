import Foundation
import Tessera
import XCTest

/// Account pictures as a shell sees them: a flag in lists, the picture one account at a time.
final class IconTests: XCTestCase {
    private func aegisFixture() throws -> Data {
        // This file is tests/swift/Tests/TesseraTests/IconTests.swift.
        let repo = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Data(contentsOf: repo.appendingPathComponent("tests/fixtures/transfer/aegis_icons.json"))
    }

    /// The image make_icons.py put into the fixture's entry for `issuer`, decoded here.
    private func iconOf(_ issuer: String) throws -> Data {
        let doc = try JSONSerialization.jsonObject(with: try aegisFixture()) as! [String: Any]
        let entries = (doc["db"] as! [String: Any])["entries"] as! [[String: Any]]
        let entry = entries.first { $0["issuer"] as? String == issuer }!
        return Data(base64Encoded: entry["icon"] as! String)!
    }

    private func vaultWithAegisIcons() throws -> Vault {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("tessera-icons-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let vault = try Vault.create(path: dir.appendingPathComponent("vault.sqlite").path, keys: XorKeys(), clock: nil)
        _ = try importIntoVault(vault: vault, data: try aegisFixture(), format: nil, password: nil, dryRun: false)
        return vault
    }

    func testAnAegisIconIsImportedAndReadBackByItsAccount() throws {
        let vault = try vaultWithAegisIcons()
        let accounts = try vault.list(filter: nil)
        let svg = accounts.first { $0.issuer == "Svg" }!
        let none = accounts.first { $0.issuer == "NoIcon" }!
        XCTAssertTrue(svg.hasPicture)
        XCTAssertFalse(none.hasPicture)
        // An icon whose hash does not match is left behind; its account is not.
        XCTAssertFalse(accounts.first { $0.issuer == "WrongHash" }!.hasPicture)

        guard case let .image(mediaType, data) = try vault.accountIcon(id: svg.id) else {
            return XCTFail("the Svg account has an image")
        }
        XCTAssertEqual(mediaType, "image/svg+xml")
        XCTAssertEqual(data, try iconOf("Svg"))
        XCTAssertNil(try vault.accountIcon(id: none.id))
        XCTAssertTrue(try vault.codeList(query: nil).items.first { $0.id == svg.id }!.hasPicture)
    }

    func testAnAppSetsAndRemovesAPictureAndBadOnesChangeNothing() throws {
        let vault = try vaultWithAegisIcons()
        let id = try vault.list(filter: nil).first { $0.issuer == "NoIcon" }!.id
        let tile = AccountIcon.reference(
            collection: "2fas", id: "", label: "AB", labelColor: "Orange", labelShown: true)
        try vault.setAccountIcon(id: id, icon: tile)
        XCTAssertEqual(try vault.accountIcon(id: id), tile)
        assertThrows(
            "InvalidInput",
            try vault.setAccountIcon(id: id, icon: .image(mediaType: "image/png", data: try iconOf("Svg"))))
        XCTAssertEqual(try vault.accountIcon(id: id), tile, "unchanged")
        try vault.setAccountIcon(id: id, icon: nil)
        XCTAssertNil(try vault.accountIcon(id: id))
    }
}
