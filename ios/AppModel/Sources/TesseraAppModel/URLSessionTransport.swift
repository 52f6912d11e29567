import Foundation
import Tessera

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Core's HTTP for push and containers (`PushTransport`) over `URLSession`: the system's trust
/// store, proxies and enterprise certificates. Foundation only, so the same file runs in the
/// app and in the Linux tests (FoundationNetworking) against a real privacyIDEA.
///
/// A token enrolled with `sslverify=0` is not served over https: this transport verifies every
/// certificate and says so (`Network`) rather than trusting an unverified server.
public final class URLSessionTransport: PushTransport, @unchecked Sendable {
    private let session: URLSession
    private let timeout: TimeInterval

    /// A transport on an ephemeral session (no cookies, no cache on disk); `timeout` per request.
    public init(timeout: TimeInterval = 30) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
        self.timeout = timeout
    }

    public func send(request: HttpRequest) throws -> HttpResponse {
        guard var components = URLComponents(string: request.url), let host = components.host else {
            throw TesseraError.Network(reason: "the server URL cannot be read")
        }
        if !request.verifyTls && components.scheme?.lowercased() == "https" {
            throw TesseraError.Network(reason: "\(host) asks not to verify its certificate (sslverify=0); this app always verifies")
        }
        if !request.query.isEmpty { components.percentEncodedQuery = Self.encode(request.query) }
        guard let url = components.url else { throw TesseraError.Network(reason: "the server URL cannot be read") }
        var http = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if request.post {
            http.httpMethod = "POST"
            http.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            http.httpBody = Data(Self.encode(request.form).utf8)
        }
        let exchange = Exchange()
        session.dataTask(with: http) { data, response, error in
            exchange.finish(data, response, error)
        }.resume()
        let (data, response, error) = exchange.wait()
        guard let response = response as? HTTPURLResponse else {
            // The error's own text names neither the query nor the form (no URL in it).
            let why = error.map { ($0 as NSError).localizedDescription } ?? "no response"
            throw TesseraError.Network(reason: "request to \(host) failed: \(why)")
        }
        // The Date header lets core learn the server's clock (the codes' time correction).
        return HttpResponse(
            status: UInt16(clamping: response.statusCode), body: data ?? Data(),
            date: response.value(forHTTPHeaderField: "Date"))
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters escaped, so a
    /// `+` in a value (base64) is not read as a space.
    static func encode(_ fields: [HttpField]) -> String {
        var unreserved = CharacterSet.alphanumerics.intersection(.init(charactersIn: "\u{0}"..."\u{7F}"))
        unreserved.insert(charactersIn: "-._~")
        let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        return fields.map { "\(escape($0.name))=\(escape($0.value))" }.joined(separator: "&")
    }
}

/// One request's completion, handed from URLSession's queue to the waiting caller.
private final class Exchange: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: (Data?, URLResponse?, Error?) = (nil, nil, nil)

    func finish(_ data: Data?, _ response: URLResponse?, _ error: Error?) {
        result = (data, response, error)
        done.signal()
    }

    func wait() -> (Data?, URLResponse?, Error?) {
        done.wait()
        return result
    }
}
