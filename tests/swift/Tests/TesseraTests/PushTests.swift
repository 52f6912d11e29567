import Foundation
import Tessera
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The body a URLSession task delivered (written before the semaphore is signalled).
final class Received: @unchecked Sendable {
    var data: Data?
}

/// The login side of a password reset: privacyIDEA's /validate endpoints (no admin rights).
struct ResetPage {
    let base: String
    let user: String

    private func post(_ path: String, _ form: [String: String]) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        request.httpBody = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&").data(using: .utf8)
        let done = DispatchSemaphore(value: 0)
        let body = Received()
        URLSession.shared.dataTask(with: request) { data, _, _ in
            body.data = data
            done.signal()
        }.resume()
        done.wait()
        let json = try JSONSerialization.jsonObject(with: body.data ?? Data()) as? [String: Any]
        return json ?? [:]
    }

    private static func authentication(_ json: [String: Any]) -> String {
        (json["result"] as? [String: Any])?["authentication"] as? String ?? ""
    }

    /// Starts a push authentication; returns the transaction id.
    func trigger() throws -> String {
        let json = try post("/validate/check", ["user": user, "pass": "push-pin"])
        XCTAssertEqual(Self.authentication(json), "CHALLENGE")
        return (json["detail"] as? [String: Any])?["transaction_id"] as? String ?? ""
    }

    /// The final check after the phone answered: ACCEPT or REJECT.
    func finish(_ transactionId: String) throws -> String {
        Self.authentication(try post("/validate/check", ["user": user, "pass": "", "transaction_id": transactionId]))
    }
}

final class Progress: KeygenListener, @unchecked Sendable {
    var steps: [KeygenStep] = []
    func onProgress(step: KeygenStep) -> Bool {
        steps.append(step)
        return true
    }
}

final class PushTests: XCTestCase {
    func testApprovesAPushThroughTheBindingsAgainstPrivacyIdea() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["TESSERA_PI_URL"], let user = env["TESSERA_PI_PUSH_USER_swift"],
            let uri = env["TESSERA_PI_PUSH_URI_swift"]
        else {
            throw XCTSkip("no privacyIDEA push fixture (TESSERA_PI_URL unset): run ./tests/run-all.sh")
        }
        // Linux has no platform RSA keystore to stand in for PushDeviceKeys; the mobile
        // library's push through platform parts is the Kotlin suite's (MobileTests checks what
        // it says without them).
        if mobileBuild { throw XCTSkip("software device keys are not in the mobile library") }
        let page = ResetPage(base: base, user: user)
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let push = PushClient(vault: vault)
        let progress = Progress()
        let token = try push.enroll(uri: uri, keyBits: 2048, listener: progress)
        XCTAssertEqual(progress.steps.first, .started(bits: 2048))
        XCTAssertEqual(try push.tokens().map(\.serial), [token.serial])

        let transaction = try page.trigger()
        let poll = try push.poll()
        XCTAssertEqual(poll.failed, [])
        XCTAssertEqual(poll.rejected, [])
        XCTAssertEqual(poll.received.count, 1)
        let request = poll.received[0]
        XCTAssertEqual(request.serial, token.serial)
        XCTAssertEqual(request.choices, [])

        XCTAssertEqual(try push.approve(id: request.id), .accepted(displayCode: nil))
        XCTAssertEqual(try page.finish(transaction), "ACCEPT")
        XCTAssertEqual(try push.pending(), [])
        assertThrows("Rejected", try push.approve(id: request.id))
    }

    func testTheInboxDescribesEachRequestAndTheServerTeachesItsTime() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["TESSERA_PI_URL"], let user = env["TESSERA_PI_PUSH_USER_swiftinbox"],
            let uri = env["TESSERA_PI_PUSH_URI_swiftinbox"]
        else {
            throw XCTSkip("no privacyIDEA push fixture (TESSERA_PI_URL unset): run ./tests/run-all.sh")
        }
        if mobileBuild { throw XCTSkip("software device keys are not in the mobile library") }
        let page = ResetPage(base: base, user: user)
        // The phone's clock is an hour behind (the server runs on this machine's clock).
        let behind = HourBehindClock()
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider(), clock: behind)
        let push = PushClient(vault: vault)
        let token = try push.enroll(uri: uri, keyBits: 2048)
        XCTAssertNil(token.forceUnlock, "the server sent no app_force_unlock")
        XCTAssertEqual(token.displayName, displayName(issuer: token.issuer, label: token.label))
        // the enrollment response's Date header: the server is an hour ahead of the phone
        let time = try XCTUnwrap(try vault.serverTime(), "the enrollment taught the server time")
        XCTAssertLessThanOrEqual(abs(time.offsetSeconds - 3600), 2)
        XCTAssertTrue(time.warning)
        XCTAssertTrue(base.contains(time.source), time.source)

        let transaction = try page.trigger()
        let request = try XCTUnwrap(try push.poll().received.first)
        XCTAssertEqual(request.issuer, token.issuer)
        XCTAssertEqual(request.label, token.label)
        XCTAssertEqual(request.displayName, token.displayName)
        XCTAssertTrue(request.isNew, "arrived in this poll")
        XCTAssertEqual(request.expiresAt, request.receivedAt + 120)
        // time left is judged by the server's clock: a request that just arrived has its
        // whole two minutes, although the phone's clock says it expires in an hour
        XCTAssertEqual(request.secondsLeft, 120)
        XCTAssertGreaterThan(request.expiresAt, try behind.nowUnix() + 3000, "expiresAt is on the server's clock")
        XCTAssertNil(request.forceUnlock)
        XCTAssertEqual(try push.poll().received.map(\.isNew), [false], "open from the previous poll")
        let inbox = try push.pending()
        XCTAssertEqual(inbox.map(\.id), [request.id])
        // (time left is not compared: every response re-measures the server offset, which may
        // move the corrected clock by a second either way)
        XCTAssertEqual(inbox.map(\.expiresAt), [request.expiresAt])

        XCTAssertEqual(try push.approve(id: request.id), .accepted(displayCode: nil))
        XCTAssertEqual(try page.finish(transaction), "ACCEPT")
        XCTAssertTrue(try push.removeToken(serial: token.serial), "one call removes the token")
        XCTAssertEqual(try push.tokens(), [])
        XCTAssertFalse(try push.removeToken(serial: token.serial))
    }

    func testRejectsAPushPayloadForAnUnknownToken() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let push = PushClient(vault: vault)
        let payload = [
            "nonce": "NONCE", "url": "https://pi.example/ttype/push", "serial": "PIPU-UNKNOWN",
            "question": "q", "title": "t", "sslverify": "1", "signature": "AEBAG===",
        ]
        assertThrows("Rejected", try push.receive(data: payload))
        XCTAssertEqual(try push.pending(), [])
    }
}

/// A phone whose clock is an hour behind the real time.
final class HourBehindClock: Clock, @unchecked Sendable {
    func nowUnix() throws -> UInt64 { UInt64(Date().timeIntervalSince1970) - 3600 }
}
