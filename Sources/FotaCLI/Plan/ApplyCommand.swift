import ArgumentParser
import Foundation
import FotaLua
import LuaHost

/// `fota apply plan.json`: sends exactly a saved plan, or refuses when the world moved since.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Send exactly the changes of a plan saved by `fota plan`.",
        discussion: """
            First reads again every fact the plan was checked against (upgrade status, device \
            membership, each device's eligibility, licence and holder). If any changed, nothing is \
            sent: a drift report names each upgrade and device that moved, and the status is 5; \
            make a new plan. Otherwise the planned changes are sent in order through \
            fota.append/remove/schedule/cancel (journaled like any run; the script is not run \
            again; a planned schedule's placeholder id stands for the real id in later steps) and \
            the run ends with "Apply complete: N added, M removed, K scheduled, L cancelled."

            On a terminal, apply shows the plan and asks for confirmation; --yes skips the \
            question, and without a terminal --yes is required.

            Exit status: 0 applied, 1 a change failed, 5 drift (nothing sent), 64 usage \
            (e.g. no --yes without a terminal, another endpoint than the plan's), 65 not a plan \
            file, 66 plan file not readable, 78 configuration error, 130 interrupted.
            """
    )

    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions
    @OptionGroup(title: "Safety and files") var safety: SafetyOptions

    @Flag(help: "Apply without asking.")
    var yes = false

    @Flag(help: "Print the Lua traceback when a change fails.")
    var debug = false

    @Argument(help: ArgumentHelp("The plan saved by `fota plan -o`.", valueName: "plan.json"))
    var planFile: String

    func validate() throws {
        if safety.dryRun || safety.readOnly {
            throw ValidationError("fota apply sends changes: drop --dry-run/--read-only (`fota plan` shows a plan without sending)")
        }
    }

    mutating func run() throws {
        let data = try ScriptExecution.read(planFile, what: "plan")
        let plan: SavedPlan
        do {
            plan = try JSONDecoder().decode(SavedPlan.self, from: data)
        } catch {
            printError("\(planFile) is not a plan saved by `fota plan`: \(Self.explain(error))")
            throw ExitCode(ExitStatus.dataError)
        }
        guard plan.format == SavedPlan.currentFormat else {
            printError("\(planFile) has plan format \(plan.format); this fota reads format \(SavedPlan.currentFormat)")
            throw ExitCode(ExitStatus.dataError)
        }
        if let problem = plan.problems.first {
            printError("\(planFile) is not a plan saved by `fota plan`: \(problem)")
            throw ExitCode(ExitStatus.dataError)
        }
        let session: FotaSession
        do {
            session = try FotaSession.open(connection: connection, safety: safety, scriptPath: planFile, inputFiles: [])
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
        defer { session.close() }
        let runtime = session.runtime
        guard runtime.shownEndpoint == plan.endpoint else {
            printError("the plan was checked against \(plan.endpoint); this apply would send to \(runtime.shownEndpoint): give the same endpoint or make a new plan")
            throw ExitCode(ExitStatus.usage)
        }
        guard let client = runtime.client else {
            printError("no ThingSpace credentials: apply reads the facts again and sends the changes")
            throw ExitCode(ExitStatus.configuration)
        }
        let drift: [String]
        do {
            drift = try plan.drift(client: client) // blocks this (main) thread, off the concurrency pool
        } catch {
            printError("cannot read the facts again: \(error)")
            throw ExitCode(ExitStatus.scriptError)
        }
        if !drift.isEmpty {
            printError("Drift: ThingSpace changed since the plan was made (\(plan.createdAt)); nothing was sent.", prefixed: false)
            for line in drift { printError("  " + line, prefixed: false) }
            printError("Make a new plan: fota plan \(plan.script) …", prefixed: false)
            throw ExitCode(ExitStatus.drift)
        }
        printError(plan.render(title: "The plan (\(plan.script), made \(plan.createdAt)); nothing has moved since:"), prefixed: false)
        if plan.changesNothing {
            printError("Apply complete: 0 added, 0 removed, 0 scheduled, 0 cancelled.", prefixed: false)
            throw ExitCode(ExitStatus.success)
        }
        try confirm()
        let outcome = ScriptExecution.run(
            Data(plan.applyChunk().utf8), scriptPath: planFile, arguments: [], libraryPaths: [], limits: limits,
            runtime: runtime, readsResults: true)
        if case .finished(let counts) = outcome {
            let n = counts.map { (value: LuaValue) -> Int64 in
                if case .integer(let count) = value { return count }
                return 0
            }
            if n.count == 4 {
                printError("Apply complete: \(n[0]) added, \(n[1]) removed, \(n[2]) scheduled, \(n[3]) cancelled. Run \(runtime.runId) in the journal.",
                           prefixed: false)
            }
        }
        throw ExitCode(ScriptExecution.report(outcome, limits: limits, debug: debug))
    }

    /// A decoding error in words: what is wrong and where in the file.
    static func explain(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0 + 1)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "field '\(key.stringValue)' is missing at \(path(context.codingPath))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context)?: return "not JSON (\(context.debugDescription)) at \(path(context.codingPath))"
        default: return "\(error)"
        }
    }

    /// Asks on a terminal; refuses without one unless --yes (the one rule: `Confirmation`).
    private func confirm() throws {
        guard try Confirmation.ask("Apply these changes? Only 'yes' applies: ", accepting: ["yes"], yes: yes,
                                   action: "apply this plan")
        else {
            printError("not applied")
            throw ExitCode(ExitStatus.scriptError)
        }
    }
}
