import ArgumentParser

@main
struct Fota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fota",
        abstract: "Drive ThingSpace firmware-over-the-air campaigns with Lua scripts.",
        discussion: """
            Scripts run in a sandbox with memory, CPU and wall-clock limits. See README.md \
            for exit statuses and the sandbox guarantees.
            """,
        subcommands: [RunCommand.self, ReplCommand.self, SimCommand.self]
    )
}
