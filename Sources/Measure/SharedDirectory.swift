// Measure: the measurement routines behind `caldera claims` and the benchmark executables, and the
// environment they read (the shared data directory, external compressors, timing). The libraries
// below take paths and bytes as parameters; only this module and the executables look around the machine.
import Foundation

/// The shared data directory (corpus, traces, vectors): the one place product code looks it up.
public enum SharedDirectory {
    /// `$CALDERA_SHARED` if set, else `../shared` beside `currentDirectory` if that is a directory, else nil.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               currentDirectory: String = FileManager.default.currentDirectoryPath) -> URL? {
        if let env = environment["CALDERA_SHARED"], !env.isEmpty { return URL(fileURLWithPath: env, isDirectory: true) }
        let guess = URL(fileURLWithPath: currentDirectory).appendingPathComponent("../shared").standardizedFileURL
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: guess.path, isDirectory: &isDir) && isDir.boolValue ? guess : nil
    }

    /// The real execution traces, relative to the shared directory.
    public static let traceFiles: [(label: String, path: String)] = [
        ("ethereum-blocks", "traces/ethereum-mainnet-blocks-2022-09/blocks.csv"),
        ("azure-conv", "traces/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv"),
        ("azure-code", "traces/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv"),
    ]
}
