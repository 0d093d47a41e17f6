// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "learning-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gateway", targets: ["gateway"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System library shims: one per native library.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // No pkgConfig on purpose: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM rejects.
        .systemLibrary(
            name: "CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // Safe Swift over one C library each.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HTTPClient",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Signing",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),

        // Channel-neutral learning: curriculum, the six tools, memory, safety, orchestrator.
        .target(
            name: "Learning",
            dependencies: [
                "Postgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Providers: one module each.
        .target(
            name: "Slack",
            dependencies: ["Signing", "HTTPClient", "Learning"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SMS",
            dependencies: [
                "Signing", "HTTPClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Anthropic's Messages API as the Learning module's language model.
        .target(
            name: "Anthropic",
            dependencies: [
                "HTTPClient", "Learning",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Daily lessons: planner, Redis due set, Postgres claims with a lease, reconciler.
        .target(
            name: "Scheduling",
            dependencies: ["Postgres", "Redis"],
            swiftSettings: swiftSettings
        ),

        // Samples of every webhook we accept, bundled for tests and `gateway simulate`.
        .target(
            name: "WebhookSamples",
            path: "webhooks",
            exclude: ["README.md"],
            sources: ["WebhookSamples.swift"],
            resources: [.copy("slack"), .copy("twilio")],
            swiftSettings: swiftSettings
        ),

        // Composition root: configuration, routes, services, metrics.
        .target(
            name: "Gateway",
            dependencies: [
                "Postgres", "Redis", "HTTPClient", "Signing", "Slack", "SMS", "Learning", "Anthropic", "Scheduling",
                "WebhookSamples",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gateway",
            dependencies: [
                "Gateway", "HTTPClient", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Turn latency of the deterministic agent over real Postgres (bench/agent-latency.sh).
        .executableTarget(
            name: "AgentLatencyBenchmark",
            dependencies: [
                "Learning", "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/AgentLatencyBenchmark",
            swiftSettings: swiftSettings
        ),

        // Planning, dispatch throughput and lateness of the daily-lesson scheduler (bench/scheduler.sh).
        .executableTarget(
            name: "SchedulerBenchmark",
            dependencies: [
                "Gateway", "HTTPClient", "Learning", "Scheduling", "Postgres", "Redis", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/SchedulerBenchmark",
            swiftSettings: swiftSettings
        ),

        // Fuzz targets (fuzz/run.sh, docs/fuzzing.md): a normal build makes replay tools that run saved inputs
        // through the same checks; `-sanitize=fuzzer,address -DFUZZING` makes libFuzzer binaries of them.
        .systemLibrary(name: "CLibFuzzer", path: "fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "fuzz/FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SlackEventsFuzzer", dependencies: ["FuzzSupport", "Slack"], path: "fuzz/SlackEventsFuzzer",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "SlackCommandsFuzzer", dependencies: ["FuzzSupport", "Slack", "HTTPClient"],
            path: "fuzz/SlackCommandsFuzzer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SlackInteractionsFuzzer", dependencies: ["FuzzSupport", "Slack", "HTTPClient"],
            path: "fuzz/SlackInteractionsFuzzer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TwilioParametersFuzzer", dependencies: ["FuzzSupport", "SMS", "Slack", "HTTPClient"],
            path: "fuzz/TwilioParametersFuzzer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TwilioSignatureFuzzer", dependencies: ["FuzzSupport", "SMS", "Signing"],
            path: "fuzz/TwilioSignatureFuzzer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SMSCommandsFuzzer", dependencies: ["FuzzSupport", "SMS"], path: "fuzz/SMSCommandsFuzzer",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "EscapingFuzzer", dependencies: ["FuzzSupport", "Slack", "SMS", "Learning"],
            path: "fuzz/EscapingFuzzer", swiftSettings: swiftSettings),

        // Tests mirror targets.
        .target(
            name: "TestSupport",
            dependencies: [
                "Postgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RedisTests",
            dependencies: ["Redis", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: [
                "HTTPClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SigningTests",
            dependencies: ["Signing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSTests",
            dependencies: ["SMS", "HTTPClient", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LearningTests",
            dependencies: [
                "Learning", "TestSupport", "Postgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnthropicTests",
            dependencies: ["Anthropic", "Learning", "TestSupport", "HTTPClient", "Postgres"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SlackTests",
            dependencies: ["Slack", "HTTPClient", "TestSupport", "Learning", "WebhookSamples"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "TestSupport", "Postgres", "Redis", "HTTPClient", "Slack", "SMS", "Signing", "WebhookSamples",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
