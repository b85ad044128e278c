global using Switchboard.IntegrationTests.Support;
