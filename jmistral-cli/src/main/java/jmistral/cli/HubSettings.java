package jmistral.cli;

import jmistral.hub.HubConfig;

import java.util.function.Supplier;

/** Where the hub commands get their configuration: the environment, or what a test puts here. */
final class HubSettings {
    static volatile Supplier<HubConfig> config = HubConfig::fromEnvironment;

    private HubSettings() { }
}
