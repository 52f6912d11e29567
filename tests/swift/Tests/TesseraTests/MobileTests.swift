import Foundation
import Tessera
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// True when run.sh was asked to test the mobile library (TESSERA_FFI_BUILD=mobile).
let mobileBuild = ProcessInfo.processInfo.environment["TESSERA_FFI_BUILD"] == "mobile"

/// Device keys that only get enrollment past key generation, to reach the transport: they hand
/// out a fixed RSA-2048 public key (made with `openssl genpkey` for this test; its private half
/// was discarded) and cannot sign.
final class UnusedPushKeys: PushDeviceKeys, @unchecked Sendable {
    static let spki = Data(base64Encoded: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1pEjC2JgX6BR3foZPqYlRGiHWe27IoPJWvhs7an1WWoBy0BRijbieNx3zBXOKXcKyTuDjDWgRmohZ+V3vdmPxh/Ej8Lhn00EzBorw9ow72czGIMG/RY5I/uXCNv6GsWz4ZrsZWrQ2hacWvtWIDDDUofY72feN8J3z25F8nub+aXrp4lkZYYD1lEEmwqAvMDmCbLCFy6+X64f4BmDDkTJOanpFxSiAw4YpmHkX+IANY09BqIHb+8mOLx9kwA9lxApu/fN6ssedbONemYat6iAAIuKdZtpipMXFaa2J72cAVOwAdZ9C7PmZmWEvcndHwZbFeVG2/dpNIdjojxYGccayQIDAQAB")!
    func generate(alias: String, bits: UInt32) throws -> Data { Self.spki }
    func sign(alias: String, message: Data) throws -> Data {
        throw TesseraError.Platform(reason: "no keystore in this test")
    }
    func delete(alias: String) throws {}
}

/// The platform's HTTP stack the way an iOS app brings it (URLSession): what the mobile
/// library, which has no HTTP client of its own, needs for push and containers.
final class URLSessionTransport: PushTransport, @unchecked Sendable {
    private final class Reply: @unchecked Sendable {
        var data: Data?
        var response: HTTPURLResponse?
    }

    private func encode(_ fields: [HttpField]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    func send(request: HttpRequest) throws -> HttpResponse {
        let query = request.query.isEmpty ? "" : "?" + encode(request.query)
        guard let url = URL(string: request.url + query) else {
            throw TesseraError.Network(reason: "not a URL")
        }
        var urlRequest = URLRequest(url: url, timeoutInterval: 30)
        if request.post {
            urlRequest.httpMethod = "POST"
            urlRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            urlRequest.httpBody = Data(encode(request.form).utf8)
        }
        let done = DispatchSemaphore(value: 0)
        let reply = Reply()
        URLSession.shared.dataTask(with: urlRequest) { data, response, _ in
            reply.data = data
            reply.response = response as? HTTPURLResponse
            done.signal()
        }.resume()
        done.wait()
        // The reason names the host, never the query or form values.
        guard let response = reply.response else {
            throw TesseraError.Network(reason: "could not reach \(url.host ?? "the server")")
        }
        // the Date header teaches Tessera the server's clock
        return HttpResponse(
            status: UInt16(response.statusCode), body: reply.data ?? Data(),
            date: response.value(forHTTPHeaderField: "Date"))
    }
}

/// The reason text of a TesseraError (every case but the reasonless ones carries one).
func reason(of body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch {
        return String(describing: error)
    }
}

/// What the mobile library leaves to the platform, and how it says so; both builds run it.
final class MobileTests: XCTestCase {
    let uri = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"

    func testGreyLevelsAreCheckedBeforeAnythingIsImported() throws {
        // A camera frame without a QR code, and one whose size does not match its bytes.
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let blank = Data(repeating: 255, count: 64 * 64)
        let none = reason { _ = try importQrLuma(vault: vault, width: 64, height: 64, luma: blank, dryRun: false) }
        XCTAssertTrue(none.contains("no QR code"), none)
        let short = reason { _ = try importQrLuma(vault: vault, width: 64, height: 65, luma: blank, dryRun: false) }
        XCTAssertTrue(short.contains("bytes"), short)
        XCTAssertEqual(try vault.list(filter: nil), [])
    }

    func testAScannerIsToldWhenAFrameHoldsNoQrCode() throws {
        // The texts a scanner routes itself (scanQrLuma) come with the same checks as imports.
        let blank = Data(repeating: 255, count: 64 * 64)
        let none = reason { _ = try scanQrLuma(width: 64, height: 64, luma: blank) }
        XCTAssertTrue(none.hasPrefix("InvalidInput") && none.contains("no QR code"), none)
        let short = reason { _ = try scanQrLuma(width: 64, height: 65, luma: blank) }
        XCTAssertTrue(short.contains("bytes"), short)
    }

    func testTheAppDrawsQrCodesFromCoresModules() throws {
        let matrix = try qrCodeMatrix(text: uri)
        let n = Int(matrix.size)
        XCTAssertEqual(matrix.modules.count, n * n)
        // Drawn 4 pixels a module, dark black, light white (the quiet zone is in the matrix),
        // a camera reads the URI back.
        let scale = 4, side = n * scale
        var luma = Data(repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side where matrix.modules[matrix.modules.startIndex + (y / scale) * n + x / scale] != 0 {
                luma[y * side + x] = 0
            }
        }
        XCTAssertEqual(try scanQrLuma(width: UInt32(side), height: UInt32(side), luma: luma), [uri])
        XCTAssertFalse(String(describing: matrix).contains("JBSWY3DPEHPK3PXP"))
        XCTAssertTrue(String(describing: matrix).contains("redacted"), String(describing: matrix))
        if mobileBuild {
            let text = reason { _ = try qrCodePng(text: uri, scale: 4) }
            XCTAssertTrue(text.hasPrefix("InvalidInput") && text.contains("qrCodeMatrix"), text)
        } else {
            let png = try qrCodePng(text: uri, scale: 4)
            XCTAssertEqual(png.prefix(8), Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        }
    }

    func testImageFilesAreReadByTheDesktopLibraryOnly() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        if mobileBuild {
            // Foundation on Linux has no PNG encoder: the file's signature and header are what
            // the mobile library recognises, and refuses, before any pixel.
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + Data("IHDR".utf8)
                + Data(repeating: 0, count: 17)
            let text = reason { _ = try importIntoVault(vault: vault, data: png, format: nil, password: nil, dryRun: false) }
            XCTAssertTrue(text.hasPrefix("InvalidInput") && text.contains("importQrLuma"), text)
            XCTAssertEqual(try vault.list(filter: nil), [])
        } else {
            let png = try qrCodePng(text: uri, scale: 4)
            let report = try importIntoVault(vault: vault, data: png, format: nil, password: nil, dryRun: false)
            XCTAssertEqual(report.imported, 1)
        }
    }

    func testPushWithoutThePlatformPartsSaysWhichTraitItNeeds() throws {
        guard mobileBuild else {
            throw XCTSkip("the desktop library has its own HTTP client and key generation")
        }
        let enrollment = "otpauth://pipush/PIPU0001?url=https%3A//127.0.0.1%3A1/ttype/push&ttl=10"
            + "&issuer=privacyIDEA&enrollment_credential=0123456789abcdef0123456789abcdef01234567"
            + "&v=1&serial=PIPU0001&sslverify=1"
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let software = reason { _ = try PushClient(vault: vault).enroll(uri: enrollment, keyBits: 2048, listener: nil) }
        XCTAssertTrue(software.contains("PushDeviceKeys"), software)
        let transport = reason {
            _ = try PushClient(vault: vault, deviceKeys: UnusedPushKeys()).enroll(
                uri: enrollment, keyBits: 2048, listener: nil)
        }
        XCTAssertTrue(transport.hasPrefix("Network") && transport.contains("PushTransport"), transport)
        XCTAssertEqual(try PushClient(vault: vault).tokens(), [])
    }
}
