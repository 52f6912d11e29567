import Foundation
import Tessera

/// What a screen says about a failed call: the error's own reason (core's messages carry no
/// secrets by contract), or a fixed sentence for the cases without one.
public func userMessage(_ error: Error) -> String {
    guard let error = error as? TesseraError else { return "Something went wrong: \(error)" }
    switch error {
    case .InvalidInput(let reason): return reason
    case .WrongPassword: return "Wrong password."
    case .WrongKey: return "This device's key no longer opens the vault: use your password."
    case .Cancelled: return "Cancelled."
    case .Locked(let reason): return "Locked: \(reason)"
    case .NotFound(let reason): return "Not found: \(reason)"
    case .Duplicate: return "This account is already there."
    case .Storage(let reason): return "Storage failed: \(reason)"
    case .Integrity(let reason): return "Damaged data: \(reason)"
    case .Platform(let reason): return "The device failed: \(reason)"
    case .Rejected(let reason): return "Refused: \(reason)"
    case .Network(let reason): return "The server could not be reached: \(reason)"
    case .Other(let reason): return reason
    case .PasswordRequired(let reason): return reason
    case .KeyLost(let reason): return reason
    case .NewerVersion(let reason): return reason
    // A case added to the bindings later reads as its own description until it gets a
    // sentence here (the description carries no secret either).
    default: return String(describing: error)
    }
}
