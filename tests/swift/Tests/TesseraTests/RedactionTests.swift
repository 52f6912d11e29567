import Foundation
import Tessera
import XCTest

private let rSecret = "JBSWY3DPEHPK3PXP"
private let rPin = "pinvalue7731"
private let rNote = "recovery codes: alpha-bravo-charlie"
private let rCredential = "credentialC0FFEE"
private let rUri = "otpauth://totp/ACME:alice?secret=\(rSecret)&issuer=ACME&pin=\(rPin)"

/// A platform HTTP stack that keeps what the core asked it to send.
final class RecordingTransport: PushTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [HttpRequest] = []
    var sent: [HttpRequest] { lock.withLock { requests } }

    func send(request: HttpRequest) throws -> HttpResponse {
        lock.withLock { requests.append(request) }
        return HttpResponse(status: 400, body: Data(#"{"signature":"deadbeefsig"}"#.utf8))
    }
}

/// uniffi records are Swift structs, which print every field through reflection. Records that
/// carry secrets print Rust's redacting Debug instead: checked through every way a log line
/// prints a value (interpolation, `String(describing:)`, `String(reflecting:)`, in an array).
final class RedactionTests: XCTestCase {
    private func assertRedacted<T>(
        _ value: T, hiding secrets: [String], showing kept: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let renderings = ["\(value)", String(describing: value), String(reflecting: value), "\([value])"]
        for shown in renderings {
            for secret in secrets {
                XCTAssertFalse(
                    shown.lowercased().contains(secret.lowercased()), "\(secret) printed in \(shown)",
                    file: file, line: line)
            }
            for word in kept {
                XCTAssertTrue(shown.contains(word), "\(word) missing from \(shown)", file: file, line: line)
            }
        }
    }

    func testAnAccountPrintsNoSecretNoteOrParameterValue() throws {
        var account = try parseOtpUri(uri: rUri)
        account.note = rNote
        XCTAssertEqual(account.secretBase32, rSecret, "the fields themselves are intact")
        XCTAssertEqual(account.extra.map(\.value), [rPin])
        assertRedacted(account, hiding: [rSecret, rPin, rNote], showing: ["ACME", "alice", "pin"])
        assertRedacted(account.extra[0], hiding: [rPin], showing: ["pin"])
    }

    func testCodesExportsAndChangesPrintNoSecret() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        var account = try parseOtpUri(uri: rUri)
        account.note = rNote
        let id = try vault.add(account: account)
        let entry = try vault.codesAt(unixTime: 59)[0]
        assertRedacted(entry, hiding: [entry.code!], showing: ["ACME", id])
        let list = try vault.codeListAt(query: nil, unixMs: 59_000)
        let row = list.items[0]
        XCTAssertEqual(row.code, entry.code, "same instant, same code")
        assertRedacted(row, hiding: [row.code!, row.displayCode!], showing: ["ACME (alice)", id])
        assertRedacted(list, hiding: [row.code!, row.displayCode!], showing: ["next_change_at"])
        let withSecret = try vault.accountWithSecret(id: id)
        XCTAssertEqual(withSecret.note, rNote, "the fields themselves are intact")
        assertRedacted(withSecret, hiding: [rSecret, rNote, rPin], showing: ["ACME", "alice"])
        let one = try otpCodeAt(secretBase32: rSecret, params: account.params, unixTime: 59)
        assertRedacted(one, hiding: [one.code], showing: ["remaining_seconds"])
        assertRedacted(AccountChange(label: "bob", note: rNote), hiding: [rNote], showing: ["bob"])

        let export = try exportFromVault(vault: vault, format: .otpauthList, unencrypted: true)
        let text = String(decoding: export.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(text.contains(rSecret), "the export holds the secret")
        assertRedacted(export, hiding: [text, rSecret], showing: ["bytes redacted"])
        let google = try exportFromVault(vault: vault, format: .googleMigration, unencrypted: true)
        assertRedacted(google, hiding: google.uris, showing: ["URIs redacted"])
    }

    func testTheRealEnrollmentRequestPrintsNoCredential() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let recorder = RecordingTransport()
        // The mobile library has no key generation of its own: a platform key gets past it.
        let push = PushClient(vault: vault, deviceKeys: mobileBuild ? UnusedPushKeys() : nil, transport: recorder)
        let uri =
            "otpauth://pipush/PIPU0001?url=https%3A//pi.example.test/ttype/push&ttl=10"
            + "&issuer=privacyIDEA&enrollment_credential=\(rCredential)&v=1&serial=PIPU0001&sslverify=1"
        XCTAssertThrowsError(try push.enroll(uri: uri, keyBits: 2048))
        let request = try XCTUnwrap(recorder.sent.first)
        let field = try XCTUnwrap(request.form.first { $0.value == rCredential })
        assertRedacted(request, hiding: [rCredential], showing: ["enrollment_credential", "pi.example.test"])
        assertRedacted(field, hiding: [rCredential], showing: ["enrollment_credential"])
        assertRedacted(try recorder.send(request: request), hiding: ["deadbeefsig"], showing: ["400"])
    }

    func testAnAcceptedPushPrintsNoDisplayCode() {
        assertRedacted(PushVerdict.accepted(displayCode: "862415"), hiding: ["862415"], showing: ["Accepted"])
    }
}
