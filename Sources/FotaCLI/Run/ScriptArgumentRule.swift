import ArgumentParser
import Foundation

/// The rule that keeps fota's own flags out of a script's arguments: `fota run x.lua --dry-run`
/// would otherwise run live and hand `--dry-run` to the script. A `--` right after the script
/// gives everything after it to the script (the `--` itself is dropped); flags after a later
/// `--` are the script's too.
enum ScriptArgumentRule {
    /// A fota flag found among the script's arguments, with the value it takes (if separate).
    struct Swallowed: Equatable {
        /// The flag as written (`--dry-run`, `--endpoint`, `--endpoint=URL`).
        var written: String
        /// The value written after an option (`--endpoint URL`), moved with it.
        var value: String?
        /// Where the flag (and its value) stand among the script's arguments.
        var positions: [Int]
    }

    /// The script's arguments with a leading `--` dropped, and the fota flags in them (none
    /// after a `--`).
    static func check(_ arguments: [String]) -> (arguments: [String], swallowed: [Swallowed]) {
        if arguments.first == "--" { return (Array(arguments.dropFirst()), []) }
        var swallowed: [Swallowed] = []
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            index += 1
            let name = argument.hasPrefix("--") ? String(argument.prefix { $0 != "=" }) : argument
            guard let takesValue = FotaFlags.all[name] else { continue }
            var found = Swallowed(written: argument, positions: [index - 1])
            if takesValue, name == argument, index < arguments.count {
                found.value = arguments[index]
                found.positions.append(index)
                index += 1
            }
            swallowed.append(found)
        }
        return (arguments, swallowed)
    }

    /// The rule as `fota run` and `fota plan` apply it: the words the script gets, or (when fota
    /// flags stand among them) the usage error printed and status 64. `given` are the words after
    /// the script (all positional words with `-e`); `separated` says a `--` came before them that
    /// ArgumentParser already removed; `commandLine` is fota's argv without argv[0], ending with
    /// the script (unless `scriptWord` is false) and `given`.
    static func enforce(
        _ given: [String], separated: Bool = false, commandLine: [String], scriptWord: Bool = true
    ) throws -> [String] {
        let (words, swallowed) = check(separated ? ["--"] + given : given)
        guard swallowed.isEmpty else {
            printError(usageError(swallowed, commandLine: commandLine, scriptArguments: given, scriptWord: scriptWord))
            throw ExitCode(ExitStatus.usage)
        }
        return words
    }

    /// The usage error for swallowed flags: the command with them moved before the script, and
    /// how to hand them to the script instead. `commandLine` is fota's argv without argv[0];
    /// its last `scriptArguments.count` words are the script's arguments, and the word before
    /// them is the script unless `scriptWord` is false (`-e`).
    static func usageError(
        _ swallowed: [Swallowed], commandLine: [String], scriptArguments: [String], scriptWord: Bool
    ) -> String {
        let head = Array(commandLine.dropLast(scriptArguments.count + (scriptWord ? 1 : 0)))
        let script = scriptWord ? [commandLine[commandLine.count - scriptArguments.count - 1]] : []
        let moved = swallowed.flatMap { [$0.written] + ($0.value.map { [$0] } ?? []) }
        let movedPositions = Set(swallowed.flatMap(\.positions))
        let rest = scriptArguments.indices.filter { !movedPositions.contains($0) }.map { scriptArguments[$0] }
        let corrected = ["fota"] + head + moved + script + rest
        let passed = ["fota"] + head + script + ["--"] + scriptArguments
        let names = swallowed.map { String($0.written.prefix { $0 != "=" }) }
        let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        let verb = names.count == 1 ? "is a fota flag" : "are fota flags"
        return """
            \(listed) \(verb), but after the script \(names.count == 1 ? "it" : "they") would go to the script and this run \
            would not use \(names.count == 1 ? "it" : "them"). Put fota's flags before the script:
              \(shellLine(corrected))
            or, to pass \(names.count == 1 ? "it" : "them") to the script, write -- after the script:
              \(shellLine(passed))
            """
    }

    /// Words as a shell command line, quoting only the words that need it.
    static func shellLine(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "@%+=:,./_-".unicodeScalars.contains($0))
            }
            return plain ? word : SimEnvironment.shellQuoted(word)
        }.joined(separator: " ")
    }
}

/// fota's own mode, connection, safety and limit flags, read from their definitions so a new
/// flag is covered without a list to keep in step.
enum FotaFlags {
    /// Every flag name (`--dry-run`, and short names as `-x`), and whether it takes a value.
    static let all: [String: Bool] = names(of: OwnOptions.self)

    private struct OwnOptions: ParsableArguments {
        @OptionGroup var limits: LimitOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var safety: SafetyOptions
    }

    /// ArgumentParser keeps its argument definitions internal; `_dumpHelp()` is its public
    /// export of them (the versioned tool-info JSON that `--experimental-dump-help` prints).
    private static func names(of type: ParsableArguments.Type) -> [String: Bool] {
        struct ToolInfo: Decodable {
            struct Command: Decodable { var arguments: [Argument]? }
            struct Argument: Decodable {
                struct Name: Decodable { var kind: String; var name: String }
                var kind: String
                var names: [Name]?
            }
            var command: Command
        }
        guard let info = try? JSONDecoder().decode(ToolInfo.self, from: Data(type._dumpHelp().utf8)) else { return [:] }
        var names: [String: Bool] = [:]
        for argument in info.command.arguments ?? [] where argument.kind != "positional" {
            for name in argument.names ?? [] where name.name != "help" && name.name != "h" {
                names[(name.kind == "long" ? "--" : "-") + name.name] = argument.kind == "option"
            }
        }
        return names
    }
}
