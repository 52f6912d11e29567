import PhotosUI
import SwiftUI
import Tessera
import TesseraAppModel

/// Adding an account: scan a QR code, pick an image (core decodes the QR codes in it), or
/// type it in starting from core's defaults for the kind. Links opened from other apps arrive
/// through `AppServices.pendingLink` and go the same way as a scan.
struct AddAccountView: View {
    let model: AddAccountModel
    let done: () -> Void
    @State private var mode = Mode.scan
    @State private var photo: PhotosPickerItem?
    @State private var issuer = ""
    @State private var label = ""
    @State private var secret = ""
    @State private var kind = OtpKind.totp
    @State private var params = otpDefaults(kind: .totp)

    enum Mode: String, CaseIterable, Identifiable {
        case scan = "Scan", image = "Image", manual = "Type"
        var id: String { rawValue }
    }

    var body: some View {
        NavigationStack {
            VStack {
                Picker("How", selection: $mode) {
                    ForEach(Mode.allCases) { Text($0.rawValue).tag($0) }
                }
                .pickerStyle(.segmented)
                .padding(.horizontal)
                switch mode {
                case .scan:
                    ScannerView { text in
                        Task { await finish(model.open(link: text)) }
                    }
                    .accessibilityLabel("Camera: point it at the QR code")
                case .image:
                    PhotosPicker("Choose an image with a QR code", selection: $photo, matching: .images)
                        .buttonStyle(.borderedProminent)
                        .padding()
                    Spacer()
                case .manual:
                    manualForm
                }
                if let result = model.result { ResultText(result: result) }
            }
            .navigationTitle("Add account")
            .toolbar { ToolbarItem(placement: .cancellationAction) { Button("Close", action: done) } }
            .onChange(of: photo) { _, item in
                guard let item else { return }
                Task {
                    guard let data = try? await item.loadTransferable(type: Data.self),
                        let image = LumaImage.decode(data)
                    else { return }
                    await finish(model.addImage(width: image.width, height: image.height, luma: image.luma))
                }
            }
            .onChange(of: kind) { _, kind in params = model.defaults(for: kind) }
        }
    }

    private var manualForm: some View {
        Form {
            TextField("Service", text: $issuer)
            TextField("Account", text: $label).textInputAutocapitalization(.never)
            SecureField("Secret key", text: $secret).textInputAutocapitalization(.never).autocorrectionDisabled()
            Picker("Type", selection: $kind) {
                Text("Time-based").tag(OtpKind.totp)
                Text("Counter-based").tag(OtpKind.hotp)
                Text("Steam").tag(OtpKind.steam)
            }
            Stepper("Digits: \(params.digits)", value: $params.digits, in: 1...10)
            if kind != .hotp {
                Stepper("Period: \(params.period) s", value: $params.period, in: 1...300)
            }
            Picker("Algorithm", selection: $params.algorithm) {
                Text("SHA-1").tag(Algorithm.sha1)
                Text("SHA-256").tag(Algorithm.sha256)
                Text("SHA-512").tag(Algorithm.sha512)
            }
            Button("Add") {
                Task { await finish(model.add(issuer: issuer, label: label, secret: secret, params: params)) }
            }
            .disabled(model.busy)
        }
    }

    private func finish(_ result: AddResult) {
        if case .failed = result { return }
        secret = ""
    }
}

/// What an add did, in words.
struct ResultText: View {
    let result: AddResult

    var body: some View {
        Text(Self.describe(result))
            .foregroundStyle(Self.failed(result) ? Color.red : Color.primary)
            .padding()
    }

    static func describe(_ result: AddResult) -> String {
        switch result {
        case .added: return "Account added."
        case .enrolled(_, let issuer, let label): return "Sign-in approvals set up for \(displayName(issuer: issuer, label: label))."
        case .imported(let report):
            return "\(report.imported) added, \(report.duplicates) already there, \(report.failed) failed."
        case .several(let results): return results.map(describe).joined(separator: "\n")
        case .failed(let why): return why
        }
    }

    static func failed(_ result: AddResult) -> Bool {
        if case .failed = result { return true }
        return false
    }
}

/// An image's grey levels, as core's `scanQrLuma` takes them (the mobile library has no
/// PNG/JPEG decoder: iOS decodes, core finds the QR codes).
enum LumaImage {
    static func decode(_ data: Data) -> (width: UInt32, height: UInt32, luma: Data)? {
        guard let image = UIImage(data: data)?.cgImage else { return nil }
        let width = image.width, height = image.height
        var pixels = Data(count: width * height)
        let drawn = pixels.withUnsafeMutableBytes { buffer -> Bool in
            guard let context = CGContext(
                data: buffer.baseAddress, width: width, height: height, bitsPerComponent: 8, bytesPerRow: width,
                space: CGColorSpaceCreateDeviceGray(), bitmapInfo: CGImageAlphaInfo.none.rawValue)
            else { return false }
            context.draw(image, in: CGRect(x: 0, y: 0, width: width, height: height))
            return true
        }
        return drawn ? (UInt32(width), UInt32(height), pixels) : nil
    }
}
