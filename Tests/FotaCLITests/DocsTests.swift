import Foundation
import FotaLua
import Testing

/// docs/lua-api.md and docs/fota.d.lua say what FotaDocs (what `help(f)` prints)
/// says: every signature there appears verbatim in the guide, and every
/// function has an annotation in the lua-language-server definitions.
@Suite("Lua API docs")
struct DocsTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: packageRoot + "/" + relative, encoding: .utf8)
    }

    /// Every signature FotaDocs holds.
    static func signatures() -> [String] {
        FotaDocs.all.values.map(\.signature).sorted()
    }

    /// `fota.append` from `fota.append(upgradeId, devices [, opts]) -> result`; `fota.schedule` from `fota.schedule{…}`.
    static func functionName(_ signature: String) -> String {
        String(signature.prefix { $0 != "(" && $0 != "{" })
    }

    @Test("FotaDocs.swift has a signature for every fota, json, log and files function")
    func signaturesFound() throws {
        let names = Set(Self.signatures().map(Self.functionName))
        let expected: Set<String> = [
            "fota.append", "fota.remove", "fota.upgrade", "fota.schedule", "fota.cancel", "fota.firmware", "fota.history",
            "fota.devicesPage", "fota.upgradesPage", "fota.devices", "fota.upgrades", "fota.now", "fota.sleep", "fota.wait",
            "fota.subscription", "fota.licenses", "fota.assignLicenses", "fota.removeLicenses", "fota.licensesToRemove",
            "fota.setLicensesToRemove", "fota.clearLicensesToRemove", "fota.callbacks", "fota.registerCallback", "fota.deleteCallback",
            "fota.args", "fota.busy", "fota.histories", "fota.state.get", "fota.state.put", "fota.rollout", "fota.time.parse", "fota.time.format",
            "json.encode", "json.decode", "json.object", "json.array",
            "log.info", "log.warn", "log.error", "files.read", "files.lines", "files.csv", "files.write", "files.writecsv",
            "files.writejson",
        ]
        #expect(names == expected)
    }

    @Test("every signature in FotaDocs.swift appears verbatim in docs/lua-api.md")
    func guideHasEverySignature() throws {
        let guide = try Self.read("docs/lua-api.md")
        for signature in Self.signatures() {
            #expect(guide.contains(signature), "docs/lua-api.md lacks \(signature)")
        }
    }

    @Test("every function in FotaDocs.swift is declared in docs/fota.d.lua")
    func definitionsHaveEveryFunction() throws {
        let definitions = try Self.read("docs/fota.d.lua")
        #expect(definitions.hasPrefix("---@meta"))
        for signature in Self.signatures() {
            let name = Self.functionName(signature)
            #expect(definitions.contains("function \(name)("), "docs/fota.d.lua lacks function \(name)")
        }
    }

    @Test("every function in docs/fota.d.lua is one FotaDocs.swift documents")
    func definitionsHaveNoStaleFunction() throws {
        let definitions = try Self.read("docs/fota.d.lua")
        let documented = Set(Self.signatures().map(Self.functionName))
        let regex = try NSRegularExpression(pattern: #"(?m)^function ([A-Za-z_.]+)\("#)
        let declared = regex.matches(in: definitions, range: NSRange(definitions.startIndex..., in: definitions)).compactMap {
            Range($0.range(at: 1), in: definitions).map { String(definitions[$0]) }
        }
        #expect(!declared.isEmpty)
        for name in declared { #expect(documented.contains(name), "docs/fota.d.lua declares \(name), which FotaDocs.swift does not document") }
    }
}
