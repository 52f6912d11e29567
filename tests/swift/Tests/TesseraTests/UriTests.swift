import Tessera
import XCTest

// The example of Google's Key Uri Format page.
let googleExample = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
let pushEnrollment =
    "otpauth://pipush/PIPU0001?url=https%3A//pi.example/ttype/push&ttl=10&issuer=privacyIDEA"
    + "&enrollment_credential=0123abcd&v=1&serial=PIPU0001&sslverify=1"

final class UriTests: XCTestCase {
    func testParsesTheKeyUriFormatExample() throws {
        let account = try parseOtpUri(uri: googleExample)
        XCTAssertEqual(account.issuer, "Example")
        XCTAssertEqual(account.label, "alice@google.com")
        XCTAssertEqual(account.secretBase32, "JBSWY3DPEHPK3PXP")
        XCTAssertEqual(account.params.kind, .totp)
        XCTAssertEqual(account.params.digits, 6)
        XCTAssertEqual(account.params.period, 30)
    }

    func testComputesTheCodeOfAUriAtAnExplicitTime() throws {
        let uri = "otpauth://totp/ACME:bob?secret=\(rfcSha1)&digits=8&issuer=ACME"
        XCTAssertEqual(try otpCodeForUriAt(uri: uri, unixTime: 59).code, "94287082")  // RFC 6238
    }

    func testFormatThenParseKeepsEveryField() throws {
        let original = try parseOtpUri(
            uri: "otpauth://hotp/Bank%20One:carol%2B2fa@example.com?secret=\(rfcSha1)"
                + "&issuer=Bank%20One&algorithm=SHA256&digits=8&counter=42&pin=1234")
        let again = try parseOtpUri(uri: try formatOtpUri(account: original))
        XCTAssertEqual(original, again)
        XCTAssertEqual(again.label, "carol+2fa@example.com")
        XCTAssertEqual(again.params.counter, 42)
        XCTAssertEqual(again.extra.map { "\($0.name)=\($0.value)" }, ["pin=1234"])
    }

    func testTellsPushEnrollmentsFromOtpAccounts() throws {
        XCTAssertEqual(try uriKind(uri: googleExample), .otp)
        XCTAssertEqual(try uriKind(uri: pushEnrollment), .pushEnrollment)
        XCTAssertThrowsError(try parseOtpUri(uri: pushEnrollment))
    }

    func testRejectsUriWithoutSecretNamingThePartNotTheValue() {
        XCTAssertThrowsError(try parseOtpUri(uri: "otpauth://totp/Example:alice@google.com?issuer=Example")) {
            guard case TesseraError.InvalidInput(let reason) = $0 else {
                return XCTFail("expected InvalidInput, got \($0)")
            }
            XCTAssertFalse(reason.contains("alice"), reason)
        }
        XCTAssertThrowsError(try uriKind(uri: "https://example.com"))
    }
}
