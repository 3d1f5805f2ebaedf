import ArgumentParser

/// `fota sim`: the local ThingSpace simulator, and commands that steer a running one. Without a subcommand it
/// serves (`fota sim --port 0 …` is `fota sim serve --port 0 …`).
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run a local ThingSpace FOTA simulator, or steer a running one.",
        discussion: """
        Without a subcommand, `fota sim [options]` runs the simulator in the foreground (see `fota sim serve --help`). \
        The other subcommands talk to a running simulator through its /_sim control API, at --endpoint or \
        FOTA_ENDPOINT:

          fota sim --port 0 --env > sim.env &    then: . ./sim.env
          fota sim clock                         show the simulated time
          fota sim advance 2h                    move it (90, 15m, 2h, 3d, --to DATE)
          fota sim fail --upgrade ID --share 5%  fail 5% of its unfinished devices
          fota sim state                         campaigns, licences, sessions

        Exit statuses of the control commands: 0 done; 1 the simulator refused (the message says why); \
        64 bad arguments; 69 nothing answers at the endpoint; 78 no endpoint given, or the endpoint is not a fota sim.
        """,
        subcommands: [SimServeCommand.self, SimClockCommand.self, SimAdvanceCommand.self, SimFailCommand.self, SimStateCommand.self],
        defaultSubcommand: SimServeCommand.self
    )
}
