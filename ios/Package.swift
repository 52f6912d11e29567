// swift-tools-version:5.9
// Tessera for iOS: module `Tessera` (the generated Swift bindings) over `TesseraFFI`, an
// XCFramework holding the Rust core as a static library for device and simulator.
// Build both first with ./build-xcframework.sh (on a Mac); neither is committed.
import PackageDescription

let package = Package(
    name: "Tessera",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "Tessera", targets: ["Tessera"]),
    ],
    targets: [
        .binaryTarget(name: "TesseraFFI", path: "TesseraFFI.xcframework"),
        // THIRD-PARTY-NOTICES.md is copied in by build-xcframework.sh; an app's About screen
        // reads it with Bundle.module.url(forResource: "THIRD-PARTY-NOTICES", withExtension: "md").
        .target(
            name: "Tessera", dependencies: ["TesseraFFI"], path: "Sources/Tessera",
            resources: [.copy("Resources/THIRD-PARTY-NOTICES.md")]
        ),
    ]
)
