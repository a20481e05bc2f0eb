import Foundation
import Measure
import TestSupport
import Testing

/// The one lookup of the shared data directory in product code (`caldera claims`, the benchmarks).
@Suite struct SharedDirectoryTests {
    @Test func sharedDirectoryFromEnvironmentOrBesideTheCurrentDirectory() throws {
        #expect(SharedDirectory.resolve(environment: ["CALDERA_SHARED": "/data/shared"])?.path == "/data/shared")
        let tmp = try TempDir("shared-lookup")
        defer { tmp.remove() }
        try FileManager.default.createDirectory(atPath: tmp.file("pkg"), withIntermediateDirectories: true)
        // no ../shared beside the current directory: nothing found
        #expect(SharedDirectory.resolve(environment: [:], currentDirectory: tmp.file("pkg")) == nil)
        try FileManager.default.createDirectory(atPath: tmp.file("shared"), withIntermediateDirectories: true)
        let found = try #require(SharedDirectory.resolve(environment: [:], currentDirectory: tmp.file("pkg")))
        #expect(found.standardizedFileURL.path == URL(fileURLWithPath: tmp.file("shared")).standardizedFileURL.path)
        // an empty variable is unset
        #expect(SharedDirectory.resolve(environment: ["CALDERA_SHARED": ""], currentDirectory: tmp.file("pkg")) != nil)
    }
}
