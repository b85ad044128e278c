using Switchboard.Service.Hosting;

namespace Switchboard.Service.Tests;

public sealed class OpenFileBudgetTests
{
    [Fact]
    public void Soft_limit_is_read_from_the_max_open_files_row()
    {
        string[] limits =
        [
            "Limit                     Soft Limit           Hard Limit           Units",
            "Max processes             95543                95543                processes",
            "Max open files            512                  20000                files",
        ];
        Assert.Equal(512, OpenFileBudget.ParseSoftLimit(limits));
    }

    [Fact]
    public void Unlimited_or_missing_row_gives_no_limit()
    {
        Assert.Null(OpenFileBudget.ParseSoftLimit(["Max open files            unlimited            unlimited            files"]));
        Assert.Null(OpenFileBudget.ParseSoftLimit(["Max processes             95543                95543                processes"]));
    }

    [Fact]
    public void Large_limit_keeps_a_thousand_for_the_node_and_a_thousand_for_http()
    {
        var budget = new OpenFileBudget(Limit: 20_000, OpenAtStart: 200);
        Assert.Equal(1_000, budget.Reserve);
        Assert.Equal(18_800, budget.ForClients);
        Assert.Equal(1_000, budget.HttpShare);
        Assert.Equal(17_800, budget.MaxWebSockets);
    }

    [Fact]
    public void Setting_below_the_limit_stands_and_kestrel_holds_at_most_what_clients_may()
    {
        var cap = new ConnectionCap(5_000, new OpenFileBudget(20_000, 200));
        Assert.Equal(5_000, cap.MaxConnections);
        Assert.False(cap.IsLowered);
        Assert.Equal(18_800, cap.AcceptSlots);
    }

    [Fact]
    public void Setting_above_the_limit_is_lowered()
    {
        var cap = new ConnectionCap(100_000, new OpenFileBudget(512, 162));
        Assert.True(cap.IsLowered);
        Assert.Equal(78, cap.MaxConnections); // 512 - 162 open - 256 reserved - 16 for HTTP
        Assert.Equal(94, cap.AcceptSlots);
    }

    [Fact]
    public void Limit_already_used_up_at_start_admits_no_websocket_and_one_http_connection()
    {
        var cap = new ConnectionCap(100_000, new OpenFileBudget(300, 162));
        Assert.Equal(0, cap.MaxConnections);
        Assert.Equal(1, cap.AcceptSlots);
    }

    [Fact]
    public void Without_a_budget_the_setting_stands_and_kestrel_is_unbounded()
    {
        var cap = new ConnectionCap(100_000, null);
        Assert.Equal(100_000, cap.MaxConnections);
        Assert.Null(cap.AcceptSlots);
    }
}
