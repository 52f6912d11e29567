import Foundation
import Tessera
import XCTest

/// The encrypted move to a new phone as an iOS app drives it: the offer and the codes are the
/// texts the app shows as QR codes and its camera reads back (AVFoundation does that on a
/// phone; here the texts go across as they are).
final class MoveTests: XCTestCase {
    /// Every account as the user sees it, in list order, with its secret and note.
    private func shown(_ vault: Vault) throws -> [String] {
        try vault.list(filter: nil).map { info in
            let full = try vault.accountWithSecret(id: info.id)
            return "\(info.issuer)|\(info.label)|\(info.groups)|\(info.favorite)|\(full.secretBase32)|\(full.note)"
        }
    }

    func testAVaultMovesOnceAndCompletely() throws {
        let old = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let new = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let letters = Array("ABCDEFGHIJKLMNOP")
        var ids: [String] = []
        for n in 0..<12 {
            ids.append(try old.add(account: otpAccount("Service \(n)", "alice", secret: "MFRGGZDFMZTWQ2L\(letters[n])")))
        }
        try old.update(id: ids[2], change: AccountChange(note: "recovery codes in the safe", groups: ["Work"]))
        try old.update(id: ids[7], change: AccountChange(favorite: true))
        try old.update(id: ids[10], change: AccountChange(position: 0))

        let offer = try new.createMoveOffer()
        XCTAssertEqual(try new.pendingMoveOffer(), offer)
        XCTAssertEqual(try readMoveOffer(text: offer.text).checkCode, offer.checkCode)
        let transfer = try old.sendMove(offer: offer.text)
        XCTAssertEqual(transfer.accounts, 12)
        XCTAssertGreaterThan(transfer.parts.count, 1)
        XCTAssertFalse(transfer.parts.contains { $0.contains("Service") || $0.contains("MFRGGZDF") })

        let scanned = Array(transfer.parts.reversed())
        let partial = try moveScanProgress(parts: Array(scanned.dropFirst()))
        XCTAssertEqual(partial.missing, [UInt32(transfer.parts.count)])
        XCTAssertFalse(partial.complete)
        assertThrows("InvalidInput", try new.acceptMove(parts: Array(scanned.dropFirst())))
        XCTAssertEqual(try new.list(filter: nil), [], "a failed accept changes nothing")

        let report = try new.acceptMove(parts: scanned)
        let added = report.accounts.filter { if case .added = $0 { return true } else { return false } }
        XCTAssertEqual(added.count, 12)
        XCTAssertEqual(try shown(new), try shown(old))
        XCTAssertNil(try new.pendingMoveOffer())
        assertThrows("Duplicate", try new.acceptMove(parts: scanned))
    }

    func testCodesForAnotherOfferOrTamperedOnesChangeNothing() throws {
        let old = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let new = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        _ = try old.add(account: otpAccount("ACME", "alice"))
        assertThrows("InvalidInput", try readMoveOffer(text: "otpauth://totp/x?secret=AAAA"))
        let first = try new.createMoveOffer()
        let forFirst = try old.sendMove(offer: first.text).parts
        _ = try new.createMoveOffer()
        assertThrows("InvalidInput", try new.acceptMove(parts: forFirst))

        var parts = try old.sendMove(offer: try XCTUnwrap(try new.pendingMoveOffer()).text).parts
        // One letter of the data changed (not the last one, whose low bits may be padding).
        var letters = Array(parts[0])
        let at = letters.count - 10
        letters[at] = letters[at] == "A" ? "B" : "A"
        parts[0] = String(letters)
        assertThrows("Integrity", try new.acceptMove(parts: parts))
        try new.cancelMoveOffer()
        assertThrows("NotFound", try new.acceptMove(parts: try old.sendMove(offer: first.text).parts))
        XCTAssertEqual(try new.list(filter: nil), [])
    }
}
