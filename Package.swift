// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Lore",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lore", targets: ["lore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        // Named only for the Logger type the SDK's Transport protocol requires; the SDK depends on it anyway.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian packages, each wrapped once behind a shim.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw",
                       providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCmark", path: "Sources/CCmark",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CLibxml2", path: "Sources/CLibxml2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CPoppler", path: "Sources/CPoppler", pkgConfig: "poppler-glib",
                       providers: [.apt(["libpoppler-glib-dev"])]),
        // Not "CZlib": ZIPFoundation already defines a module of that name, and two cannot meet in one build.
        .systemLibrary(name: "CLoreZlib", path: "Sources/CLoreZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibpq", path: "Sources/CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        .target(name: "LoreCore", swiftSettings: strict),
        .target(name: "LoreStore",
                dependencies: ["LoreCore", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: strict),
        // The shared knowledge-base store on PostgreSQL (+ pgvector), through libpq.
        .target(name: "LorePostgres", dependencies: ["LoreCore", "LoreStore", "CLibpq"], swiftSettings: strict),
        .target(name: "LoreIngest",
                dependencies: ["LoreCore", "LoreStore", "CCmark", "CLibxml2", "CPoppler", "CLoreZlib",
                               .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                swiftSettings: strict),
        .target(name: "LoreLLM", dependencies: ["LoreCore", "CCurl"], swiftSettings: strict),
        .target(name: "LoreEngine",
                dependencies: ["LoreCore", "LoreStore", "LorePostgres", "LoreIngest", "LoreLLM",
                               .product(name: "TOMLKit", package: "TOMLKit")],
                swiftSettings: strict),
        .target(name: "LoreTUI", dependencies: ["LoreCore", "CNcursesw",
                                               .product(name: "TOMLKit", package: "TOMLKit")],
                swiftSettings: strict),
        // What only `lore bench` and the tests need: the scripted loopback HTTP server, the one builder of
        // OpenAI-style answer streams, and the stream benchmarks. No other product target links it.
        .target(name: "LoreBench", dependencies: ["LoreCore", "LoreLLM"], swiftSettings: strict),
        // The Model Context Protocol server behind `lore mcp`: tool and resource handlers as plain functions
        // over the engine, and the glue that serves them over stdio with the MCP Swift SDK.
        .target(name: "LoreMCP",
                dependencies: ["LoreCore", "LoreStore", "LoreIngest", "LoreLLM", "LoreEngine",
                               .product(name: "MCP", package: "swift-sdk"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .executableTarget(name: "lore",
                          dependencies: ["LoreCore", "LoreStore", "LoreIngest", "LoreLLM", "LoreEngine",
                                         "LoreTUI", "LoreBench", "LoreMCP", "LorePostgres",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strict),

        // Shared by the test targets that run the built binary; not part of any product.
        .target(name: "LoreTestSupport",
                dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")],
                path: "Tests/LoreTestSupport", swiftSettings: strict),
        .testTarget(name: "LoreCoreTests", dependencies: ["LoreCore"], swiftSettings: strict),
        .testTarget(name: "LoreStoreTests", dependencies: ["LoreStore", "LoreCore", .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strict),
        // One suite of store behaviour run against both backends: SQLite always, PostgreSQL when
        // LORE_TEST_POSTGRES names a server (scripts/pg-server.sh starts one).
        .testTarget(name: "LoreStoreContractTests",
                    dependencies: ["LoreStore", "LorePostgres", "LoreIngest", "LoreCore", "LoreTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "LoreIngestTests", dependencies: ["LoreIngest", "LoreStore", "LoreCore", "LoreTestSupport", "CLoreZlib",
                                                          .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                                                          .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strict),
        .testTarget(name: "LoreLLMTests", dependencies: ["LoreLLM", "LoreCore", "LoreBench"], swiftSettings: strict),
        .testTarget(name: "LoreEngineTests", dependencies: ["LoreEngine", "LoreCore", "LoreLLM", "LoreStore", "LoreIngest", "LoreBench"], swiftSettings: strict),
        .testTarget(name: "LoreTUITests", dependencies: ["LoreTUI", "LoreCore", "LoreBench", "LoreTestSupport"], swiftSettings: strict),
        .testTarget(name: "LoreMCPTests", dependencies: ["LoreMCP", "LoreEngine", "LoreCore", "LoreStore", "LoreIngest", "LoreBench",
                                                       .product(name: "MCP", package: "swift-sdk")],
                    swiftSettings: strict),
        .testTarget(name: "LoreCLITests", dependencies: ["LoreCore", "LoreStore", "LoreLLM", "LoreBench", "LoreTestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
