// swift-tools-version:5.9
// The iOS app's view models (module `TesseraAppModel`): Foundation and Observation only, no
// SwiftUI or UIKit, so they compile and are tested on Linux as well as on a Mac.
//
// Which `Tessera` they build on:
// - by default the iOS package beside this one (`ios/`, the XCFramework): what the app ships;
// - with TESSERA_BINDINGS=host, the Swift suite's package (`tests/swift`, the generated Swift
//   over the host-built library): how tests/ios-app/run.sh tests them on Linux and macOS.
import Foundation
import PackageDescription

let host = ProcessInfo.processInfo.environment["TESSERA_BINDINGS"] == "host"
let tessera: Package.Dependency = host ? .package(path: "../../tests/swift") : .package(path: "..")
let tesseraProduct: Target.Dependency = .product(name: "Tessera", package: host ? "swift" : "ios")
// Linux has no Keychain: the tests' push device keys there are OpenSSL's (the Swift suite's
// OpenSslKeys, tests/swift/Sources/OpenSslKeys).
let testKeys: [Target.Dependency] =
    host ? [.product(name: "OpenSslKeys", package: "swift", condition: .when(platforms: [.linux]))] : []

let package = Package(
    name: "TesseraAppModel",
    // @Observable needs iOS 17 / macOS 14; the Tessera library itself supports iOS 15.
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "TesseraAppModel", targets: ["TesseraAppModel"]),
    ],
    dependencies: [tessera],
    targets: [
        .target(name: "TesseraAppModel", dependencies: [tesseraProduct]),
        .testTarget(name: "TesseraAppModelTests", dependencies: ["TesseraAppModel"] + testKeys),
    ]
)
