import Foundation
import Tessera
import XCTest

// Expected codes are the published test vectors of RFC 6238 (appendix B) and RFC 4226
// (appendix D), not values produced by Tessera.
let rfcSha1 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  // "12345678901234567890"
let rfcSha256 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"

func totp(digits: UInt8 = 6, period: UInt32 = 30, algorithm: Algorithm = .sha1) -> OtpParams {
    OtpParams(kind: .totp, algorithm: algorithm, digits: digits, period: period, counter: 0)
}

final class FixedClock: Clock, @unchecked Sendable {
    let time: UInt64
    init(_ time: UInt64) { self.time = time }
    func nowUnix() throws -> UInt64 { time }
}

struct NoNetworkTime: Error {}

final class ThrowingClock: Clock, @unchecked Sendable {
    func nowUnix() throws -> UInt64 { throw NoNetworkTime() }
}

final class OtpTests: XCTestCase {
    func testComputesRfc6238VectorsAtExplicitTimes() throws {
        let cases: [(UInt64, Algorithm, String)] = [
            (59, .sha1, "94287082"),
            (1_111_111_109, .sha1, "07081804"),
            (2_000_000_000, .sha1, "69279037"),
            (59, .sha256, "46119246"),
            (1_234_567_890, .sha256, "91819424"),
        ]
        for (time, algorithm, expected) in cases {
            let secret = algorithm == .sha1 ? rfcSha1 : rfcSha256
            let code = try otpCodeAt(
                secretBase32: secret, params: totp(digits: 8, algorithm: algorithm), unixTime: time)
            XCTAssertEqual(code.code, expected, "RFC 6238 \(algorithm) at \(time)")
        }
    }

    func testReportsRemainingSecondsOfThePeriod() throws {
        let code = try otpCodeAt(secretBase32: rfcSha1, params: totp(), unixTime: 59)
        XCTAssertEqual(code.remainingSeconds, 1)
        XCTAssertEqual(code.period, 30)
    }

    func testComputesRfc4226HotpVectorsWithoutExpiry() throws {
        for (counter, expected) in ["755224", "287082", "359152"].enumerated() {
            let params = OtpParams(
                kind: .hotp, algorithm: .sha1, digits: 6, period: 30, counter: UInt64(counter))
            let code = try otpCodeAt(secretBase32: rfcSha1, params: params, unixTime: 0)
            XCTAssertEqual(code.code, expected, "RFC 4226 counter \(counter)")
            XCTAssertEqual(code.remainingSeconds, 0)
        }
    }

    func testComputesCodesAtTheTimeOfASwiftClock() throws {
        let code = try otpCodeNow(secretBase32: rfcSha1, params: totp(digits: 8), clock: FixedClock(59))
        XCTAssertEqual(code.code, "94287082")
    }

    func testThrowingSwiftClockBecomesPlatformError() {
        XCTAssertThrowsError(
            try otpCodeNow(secretBase32: rfcSha1, params: totp(), clock: ThrowingClock())
        ) { error in
            guard case TesseraError.Platform = error else {
                return XCTFail("expected TesseraError.Platform, got \(error)")
            }
        }
    }

    func testRejectsBadSecretsAndParametersAsInvalidInput() {
        let bad: [(String, OtpParams)] = [
            ("not base32!", totp()), ("", totp()), (rfcSha1, totp(digits: 0)),
            (rfcSha1, totp(digits: 11)), (rfcSha1, totp(period: 0)),
        ]
        for (secret, params) in bad {
            XCTAssertThrowsError(try otpCodeAt(secretBase32: secret, params: params, unixTime: 0)) {
                guard case TesseraError.InvalidInput = $0 else {
                    return XCTFail("expected InvalidInput, got \($0)")
                }
            }
        }
    }
}
