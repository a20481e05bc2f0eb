import DataLayer
import Foundation

/// The corpus of real chain data under `<shared>/corpus`: one subdirectory per source, described in SOURCES.md.
public enum Corpus {
    /// One corpus source (a subdirectory of corpus/) and its files, sorted by name.
    public struct Source: Sendable {
        public var name: String
        public var files: [URL]
        /// The namespace its blobs go to: the directory name, cut to Celestia's 10 user bytes.
        public var namespace: Namespace { Namespace(name: String(name.prefix(10))) ?? .default }
    }

    /// Files the corpus lists under "Derived files" in SOURCES.md (paths relative to corpus/): data
    /// produced from other corpus files (the RLP streams decoded from each era1 file, the hex-decoded
    /// OP calldata), which repeats their information.
    public static func derivedFiles(_ shared: URL) -> Set<String> {
        guard let text = try? String(contentsOf: shared.appendingPathComponent("corpus/SOURCES.md"), encoding: .utf8) else { return [] }
        var out = Set<String>(), inDerived = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { inDerived = line.lowercased().contains("derived"); continue }
            guard inDerived, line.hasPrefix("| ") else { continue }
            let cell = line.dropFirst(2).prefix { $0 != "|" }.trimmingCharacters(in: .whitespaces)
            if cell.contains("/"), !cell.contains(" ") { out.insert(cell) }
        }
        return out
    }

    /// The corpus by source directory; `excludingDerived` leaves out `derivedFiles`.
    public static func sources(_ shared: URL, excludingDerived: Bool = false) -> [Source] {
        let derived = excludingDerived ? derivedFiles(shared) : []
        let corpus = shared.appendingPathComponent("corpus")
        let fm = FileManager.default
        guard let dirs = try? fm.contentsOfDirectory(atPath: corpus.path) else { return [] }
        return dirs.sorted().compactMap { d in
            var isDir: ObjCBool = false
            let url = corpus.appendingPathComponent(d)
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue,
                  let names = try? fm.contentsOfDirectory(atPath: url.path) else { return nil }
            let files = names.sorted().filter { !derived.contains(d + "/" + $0) }.map { url.appendingPathComponent($0) }.filter { !$0.hasDirectoryPath }
            return files.isEmpty ? nil : Source(name: d, files: files)
        }
    }

    /// Every data file below corpus/ (SOURCES.md left out), as paths relative to corpus/, sorted; [] when absent.
    public static func files(_ shared: URL) -> [String] {
        let corpus = shared.appendingPathComponent("corpus")
        guard let e = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }
            .filter { !$0.hasDirectoryPath && $0.lastPathComponent != "SOURCES.md" }
            .map { String($0.standardizedFileURL.path.dropFirst(corpus.standardizedFileURL.path.count + 1)) }
            .sorted()
    }
}
