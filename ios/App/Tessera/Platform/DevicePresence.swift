import Foundation
import LocalAuthentication
import Tessera
import TesseraAppModel

/// The authentication a push request's `app_force_unlock` demands, through LocalAuthentication:
/// Face ID / Touch ID for `.biometric`, the device passcode (or biometrics) otherwise.
final class DevicePresence: UserPresence {
    func confirm(_ demand: ForceUnlock, reason: String) async -> Bool {
        let policy: LAPolicy = demand == .biometric ? .deviceOwnerAuthenticationWithBiometrics : .deviceOwnerAuthentication
        let context = LAContext()
        guard context.canEvaluatePolicy(policy, error: nil) else { return false }
        return (try? await context.evaluatePolicy(policy, localizedReason: reason)) ?? false
    }
}
