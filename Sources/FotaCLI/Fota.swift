import ArgumentParser

@main
struct Fota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fota",
        abstract: "Drive ThingSpace firmware-over-the-air campaigns with Lua scripts.",
        discussion: """
            Scripts run in a sandbox with memory, CPU and wall-clock limits; every change they \
            make is validated and journaled. Rehearse against the built-in simulator first:

              fota run --simulate examples/canary.lua --count 5
              fota run --dry-run my-campaign.lua        (reads for real, sends no change)
              fota plan my-campaign.lua -o plan.json    (the dry run's plan, saved)
              fota apply plan.json                      (exactly that plan, or nothing if ThingSpace moved)
              fota repl --simulate                      (an interactive prompt)

            README.md lists exit statuses and the sandbox guarantees; docs/lua-api.md the Lua API.
            """,
        subcommands: [RunCommand.self, ReplCommand.self, SimCommand.self, PlanCommand.self, ApplyCommand.self, JournalCommand.self]
    )
}
