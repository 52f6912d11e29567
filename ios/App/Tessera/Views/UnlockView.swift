import SwiftUI
import TesseraAppModel

/// First run (create the vault, optionally with a password) and the lock screen (Face ID,
/// then the password when the device key cannot open the vault).
struct UnlockView: View {
    @Bindable var model: UnlockModel
    /// First run: whether the device key asks for Face ID / Touch ID (fixed once it is made).
    @Binding var requireBiometry: Bool
    @State private var password = ""
    @State private var repeated = ""
    @State private var recoveryKey = ""
    @State private var useRecoveryKey = false

    var body: some View {
        VStack(spacing: 20) {
            Image(systemName: "lock.shield").font(.system(size: 56)).accessibilityHidden(true)
            Text("Tessera").font(.largeTitle.bold())
            switch model.stage {
            case .checking:
                ProgressView()
            case .firstRun:
                Text("Your accounts are kept on this iPhone, encrypted with a key in its Secure Enclave.")
                    .multilineTextAlignment(.center)
                Toggle("Unlock with Face ID or Touch ID", isOn: $requireBiometry)
                SecureField("Password (optional, a second way in)", text: $password)
                    .textContentType(.newPassword)
                SecureField("Repeat the password", text: $repeated)
                    .textContentType(.newPassword)
                Button("Create vault") {
                    Task { await model.create(password: password == repeated ? password : nil) }
                }
                .buttonStyle(.borderedProminent)
                .disabled(model.busy || password != repeated)
            case .locked:
                Button("Unlock") { Task { await model.unlockWithDevice() } }
                    .buttonStyle(.borderedProminent)
                if model.hasPassword || model.hasRecoveryKey {
                    Button(model.hasPassword ? "Use password" : "Use the recovery key") { model.usePassword() }
                }
            case .passwordNeeded:
                if model.deviceKeyFailure == .lost {
                    Text("This iPhone's key no longer opens the vault (were Face ID or the passcode changed?). Your password opens it and sets up a new key.")
                        .multilineTextAlignment(.center)
                }
                if model.hasPassword && !useRecoveryKey {
                    SecureField("Password", text: $password)
                        .textContentType(.password)
                        .onSubmit { Task { await model.unlockWithPassword(password) } }
                    Button("Unlock") { Task { await model.unlockWithPassword(password) } }
                        .buttonStyle(.borderedProminent)
                        .disabled(model.busy || password.isEmpty)
                    if model.hasRecoveryKey {
                        Button("Forgot your password? Use the recovery key") { useRecoveryKey = true }
                    }
                } else if model.hasRecoveryKey {
                    Text("Type the recovery key you wrote down (28 symbols; case, spaces and dashes do not matter).")
                        .multilineTextAlignment(.center)
                    TextField("Recovery key", text: $recoveryKey)
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                        .font(.body.monospaced())
                    Button("Unlock") { Task { await model.unlockWithRecoveryKey(recoveryKey) } }
                        .buttonStyle(.borderedProminent)
                        .disabled(model.busy || recoveryKey.isEmpty)
                }
                if let failure = model.deviceKeyFailure, failure != .lost {
                    Button("Try Face ID again") { Task { await model.unlockWithDevice() } }
                }
            case .keyLost:
                Text("This vault can no longer be opened on this iPhone: its key is gone and it has no password. Restore your accounts from a backup.")
                    .multilineTextAlignment(.center)
            case .newerVersion:
                Text("Your accounts were saved by a newer Tessera. Update the app to open them.")
                    .multilineTextAlignment(.center)
            case .unlocked:
                ProgressView()
            }
            if model.busy { ProgressView() }
            if let message = model.message {
                Text(message).foregroundStyle(.red).multilineTextAlignment(.center)
            }
        }
        .textFieldStyle(.roundedBorder)
        .padding()
        .frame(maxWidth: 480)
    }
}
