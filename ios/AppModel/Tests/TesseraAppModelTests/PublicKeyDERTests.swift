import Foundation
import XCTest

@testable import TesseraAppModel

/// The SPKI wrapping of the Keychain's RSA public key, checked against OpenSSL: both
/// encodings below are `openssl rsa -RSAPublicKey_out` and `-pubout` of one 2048-bit key.
final class PublicKeyDERTests: XCTestCase {
    let pkcs1 = "MIIBCgKCAQEAtSc1bZtScbeG2GdetkSM53gDSFLmwashRu3bSHdLXlHEBr4mUKY9THzBDo5o0ehEyjhGZsg6loZrB4wiMisi6xzLqb4pitDylhERnDcg9Oe5Ih80QxLB4k3Tjokz7MxauB9Y47mX4ht8tBpxgIj8Mzke5gtCmIAmlNDV9l6cPqJG4ObcXhXsCSPWcHw60Lqdqih6cwri/DdOGQ+RI0p99A+wduBE+R1pBf3XikX7Vqmk1OhxGyhNHj5nCb+V19a3dnN+NhLP0tiU1Jko0vntkyIxLiFgnERYFJxFd6ev3XoUZRcl456Qza/zg3z01kni7ha8qWY+fHy9NEQGdseubQIDAQAB"
    let spki = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtSc1bZtScbeG2GdetkSM53gDSFLmwashRu3bSHdLXlHEBr4mUKY9THzBDo5o0ehEyjhGZsg6loZrB4wiMisi6xzLqb4pitDylhERnDcg9Oe5Ih80QxLB4k3Tjokz7MxauB9Y47mX4ht8tBpxgIj8Mzke5gtCmIAmlNDV9l6cPqJG4ObcXhXsCSPWcHw60Lqdqih6cwri/DdOGQ+RI0p99A+wduBE+R1pBf3XikX7Vqmk1OhxGyhNHj5nCb+V19a3dnN+NhLP0tiU1Jko0vntkyIxLiFgnERYFJxFd6ev3XoUZRcl456Qza/zg3z01kni7ha8qWY+fHy9NEQGdseubQIDAQAB"

    func testWrapsAPkcs1RsaKeyAsOpenSslWritesItsSpki() throws {
        let wrapped = PublicKeyDER.subjectPublicKeyInfo(rsaPKCS1: try XCTUnwrap(Data(base64Encoded: pkcs1)))
        XCTAssertEqual(wrapped, Data(base64Encoded: spki))
    }

    func testShortAndLongLengths() {
        XCTAssertEqual(PublicKeyDER.element(0x04, [1, 2]), [0x04, 0x02, 1, 2])
        XCTAssertEqual(PublicKeyDER.element(0x04, [UInt8](repeating: 0, count: 0x80)).prefix(3), [0x04, 0x81, 0x80])
        XCTAssertEqual(PublicKeyDER.element(0x04, [UInt8](repeating: 0, count: 0x1234)).prefix(4), [0x04, 0x82, 0x12, 0x34])
    }
}
