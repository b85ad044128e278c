using Microsoft.AspNetCore.Http;
using Switchboard.Actors.History;
using Switchboard.Service.Http;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

public sealed class HistorySettingsTests
{
    private static SwitchboardOptions Load(Dictionary<string, string?> values) => SettingsLoaderTests.Load(values);

    private static string OnlyProblem(Dictionary<string, string?> values)
    {
        var failure = Assert.Throws<SwitchboardSettingsException>(() => Load(values));
        return Assert.Single(failure.Problems);
    }

    [Fact]
    public void By_default_history_is_off_for_300_seconds_in_memory()
    {
        var o = Load([]);
        Assert.Equal(0, o.HistorySize);
        Assert.Equal(TimeSpan.FromSeconds(300), o.HistoryTtl);
        Assert.Equal("memory", o.HistoryStore);
        Assert.Equal(HistoryBudget.DefaultMaxBytes, o.HistoryMaxBytes);
    }

    [Fact]
    public void The_history_variables_set_their_settings()
    {
        var o = Load(new()
        {
            ["WEBSOCKET_HISTORY_SIZE"] = "50",
            ["WEBSOCKET_HISTORY_TTL"] = "60",
            ["HISTORY_STORE"] = "memory",
            ["HISTORY_MAX_BYTES"] = "2097152",
        });
        Assert.Equal(50, o.HistorySize);
        Assert.Equal(TimeSpan.FromSeconds(60), o.HistoryTtl);
        Assert.Equal("memory", o.HistoryStore);
        Assert.Equal(2_097_152, o.HistoryMaxBytes);
    }

    [Fact]
    public void The_History_section_and_the_WebSocket_section_are_read()
    {
        var o = Load(new()
        {
            ["WebSocket:HistorySize"] = "5",
            ["WebSocket:HistoryTtl"] = "0.5",
            ["History:Store"] = "Memory",
            ["History:MaxBytes"] = "1048576",
        });
        Assert.Equal(5, o.HistorySize);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.HistoryTtl);
        Assert.Equal("memory", o.HistoryStore);
        Assert.Equal(1_048_576, o.HistoryMaxBytes);
    }

    [Fact]
    public void The_variables_override_the_sections()
    {
        var o = Load(new()
        {
            ["WebSocket:HistorySize"] = "5",
            ["WEBSOCKET_HISTORY_SIZE"] = "7",
            ["History:MaxBytes"] = "1048576",
            ["HISTORY_MAX_BYTES"] = "3145728",
        });
        Assert.Equal((7, 3_145_728L), (o.HistorySize, o.HistoryMaxBytes));
    }

    [Theory]
    [InlineData("WEBSOCKET_HISTORY_SIZE", "-1", "HistorySize (WEBSOCKET_HISTORY_SIZE) = -1")]
    [InlineData("WEBSOCKET_HISTORY_TTL", "0", "HistoryTtl (WEBSOCKET_HISTORY_TTL) = 0")]
    [InlineData("WEBSOCKET_HISTORY_TTL", "-5", "HistoryTtl (WEBSOCKET_HISTORY_TTL) = -5")]
    [InlineData("HISTORY_STORE", "disk", "HistoryStore (HISTORY_STORE) = disk")]
    [InlineData("History:Store", "disk", "HistoryStore (HISTORY_STORE) = disk")]
    [InlineData("HISTORY_MAX_BYTES", "1048575", "HistoryMaxBytes (HISTORY_MAX_BYTES) = 1048575")]
    [InlineData("History:MaxBytes", "1000", "HistoryMaxBytes (HISTORY_MAX_BYTES) = 1000")]
    [InlineData("HISTORY_MAX_BYTES", "-1", "HistoryMaxBytes (HISTORY_MAX_BYTES) = -1")]
    public void Out_of_range_history_values_stop_start_up_with_one_message_naming_the_setting(string key, string value, string named)
    {
        var problem = OnlyProblem(new() { [key] = value });
        Assert.Contains(named, problem);
        Assert.Contains("must", problem);
    }

    [Fact]
    public void The_redis_store_settings_default_to_deliver_under_the_switchboard_prefix()
    {
        var o = Load([]);
        Assert.Null(o.HistoryRedis);
        Assert.Equal("switchboard:history:", o.HistoryPrefix);
        Assert.Equal("deliver", o.HistoryOnStoreFailure);
    }

    [Fact]
    public void The_redis_store_is_set_by_its_variables_and_by_the_History_section()
    {
        var o = Load(new()
        {
            ["HISTORY_STORE"] = "REDIS",
            ["HISTORY_REDIS"] = "127.0.0.1:6380,password=x",
            ["HISTORY_PREFIX"] = "hub:",
            ["HISTORY_ON_STORE_FAILURE"] = "Refuse",
        });
        Assert.Equal(("redis", "127.0.0.1:6380,password=x", "hub:", "refuse"),
            (o.HistoryStore, o.HistoryRedis, o.HistoryPrefix, o.HistoryOnStoreFailure));
        var section = Load(new()
        {
            ["History:Store"] = "redis",
            ["History:Redis"] = "redis.internal:6379",
            ["History:Prefix"] = "p:",
            ["History:OnStoreFailure"] = "deliver",
        });
        Assert.Equal(("redis", "redis.internal:6379", "p:", "deliver"),
            (section.HistoryStore, section.HistoryRedis, section.HistoryPrefix, section.HistoryOnStoreFailure));
    }

    [Theory]
    [InlineData("HISTORY_STORE")]
    [InlineData("History:Store")]
    public void A_redis_store_without_History_Redis_stops_start_up_with_one_message(string key)
    {
        var problem = OnlyProblem(new() { [key] = "redis" });
        Assert.Contains("HistoryRedis (HISTORY_REDIS)", problem);
        Assert.Contains("must be set with History:Store=redis", problem);
    }

    [Theory]
    [InlineData(",,,")]
    [InlineData("127.0.0.1:6379,nonsense=1")]
    public void A_History_Redis_that_is_not_a_connection_string_stops_start_up(string value)
    {
        var problem = OnlyProblem(new() { ["HISTORY_STORE"] = "redis", ["History:Redis"] = value });
        Assert.Contains($"HistoryRedis (HISTORY_REDIS) = \"{value}\"", problem);
    }

    [Fact]
    public void History_Redis_is_not_needed_by_the_memory_store()
    {
        Assert.Equal("memory", Load(new() { ["HISTORY_STORE"] = "memory" }).HistoryStore);
    }

    [Theory]
    [InlineData("HISTORY_ON_STORE_FAILURE", "drop", "HistoryOnStoreFailure (HISTORY_ON_STORE_FAILURE) = drop: must be deliver or refuse")]
    [InlineData("History:OnStoreFailure", "retry", "HistoryOnStoreFailure (HISTORY_ON_STORE_FAILURE) = retry: must be deliver or refuse")]
    [InlineData("HISTORY_PREFIX", "  ", "HistoryPrefix (HISTORY_PREFIX) is empty")]
    [InlineData("HISTORY_STORE", "disk", "HistoryStore (HISTORY_STORE) = disk: must be memory or redis")]
    public void Bad_redis_store_values_stop_start_up_with_one_message(string key, string value, string problem)
    {
        Assert.Contains(problem, OnlyProblem(new() { [key] = value }));
    }

    [Theory]
    [InlineData("WEBSOCKET_HISTORY_SIZE", "ten", "not a whole number")]
    [InlineData("WEBSOCKET_HISTORY_SIZE", "1.5", "not a whole number")]
    [InlineData("WEBSOCKET_HISTORY_TTL", "soon", "not a number of seconds")]
    [InlineData("HISTORY_MAX_BYTES", "64MB", "not a whole number")]
    [InlineData("History:MaxBytes", "lots", "not a whole number")]
    public void Unparsable_history_values_name_the_key_and_the_value(string key, string value, string problem)
    {
        var message = OnlyProblem(new() { [key] = value });
        Assert.Contains($"{key}=\"{value}\"", message);
        Assert.Contains(problem, message);
    }
}

public sealed class ResumeQueryTests
{
    private static ConnectResume? Resume(string query, out ApiError? error)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        return UserIdentity.Resume(context.Request.Query, out error);
    }

    [Fact]
    public void Without_resume_nothing_is_named()
    {
        var resume = Resume("?user_id=a", out var error);
        Assert.Null(error);
        Assert.Null(resume!.User);
        Assert.Empty(resume.Groups);
        Assert.Null(Resume("?resume=", out _)!.User);
    }

    [Fact]
    public void Resume_names_the_user_stream_position()
    {
        var resume = Resume("?resume=ab12:42", out var error);
        Assert.Null(error);
        Assert.Equal(new StreamPosition("ab12", 42), resume!.User);
    }

    [Theory]
    [InlineData("?resume=ab12")]
    [InlineData("?resume=ab12:-1")]
    [InlineData("?resume=AB:1")]
    [InlineData("?resume=ab:x")]
    [InlineData("?resume=:1")]
    public void A_bad_resume_is_refused(string query)
    {
        Assert.Null(Resume(query, out var error));
        Assert.Equal("invalid_resume", error!.Error);
    }

    [Fact]
    public void Resume_groups_name_each_group_once_by_everything_before_its_last_two_parts()
    {
        var resume = Resume("?resume_groups=g1:ep:5,%20room:a:ep2:0%20,,g1:ep:6&resume_groups=g3:e:1", out var error);
        Assert.Null(error);
        Assert.Equal(["g1", "room:a", "g3"], resume!.Groups.Keys);
        Assert.Equal(new StreamPosition("ep", 6), resume.Groups["g1"]);
        Assert.Equal(new StreamPosition("ep2", 0), resume.Groups["room:a"]);
        Assert.Null(resume.User);
    }

    [Theory]
    [InlineData("?resume_groups=g1")]
    [InlineData("?resume_groups=g1:5")]
    [InlineData("?resume_groups=:ep:5")]
    [InlineData("?resume_groups=g1:ep:")]
    [InlineData("?resume_groups=g1:EP:5")]
    [InlineData("?resume_groups=g1::5")]
    [InlineData("?resume_groups=ok:ep:1,g2:ep:-1")]
    public void A_bad_resume_groups_entry_is_refused(string query)
    {
        Assert.Null(Resume(query, out var error));
        Assert.Equal("invalid_resume", error!.Error);
        Assert.Contains("resume_groups", error.Message);
    }

    [Fact]
    public void Resumed_groups_are_joined_with_the_others_once_and_count_toward_the_bound()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?groups=a,b&resume_groups=b:ep:1,c:ep:2");
        var resume = UserIdentity.Resume(context.Request.Query, out _)!;
        Assert.Equal(["a", "b", "c"], UserIdentity.Groups(context.Request.Query, max: 3, out var error, resumed: resume.Groups.Keys));
        Assert.Null(error);
        Assert.Null(UserIdentity.Groups(context.Request.Query, max: 2, out error, resumed: resume.Groups.Keys));
        Assert.Equal("too_many_groups", error!.Error);
    }

    [Fact]
    public void A_resumed_group_with_an_invalid_name_is_refused_as_a_group()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?resume_groups=" + new string('g', 129) + ":ep:1");
        var resume = UserIdentity.Resume(context.Request.Query, out var resumeError)!;
        Assert.Null(resumeError);
        Assert.Null(UserIdentity.Groups(context.Request.Query, max: 10, out var error, resumed: resume.Groups.Keys));
        Assert.Equal("invalid_group", error!.Error);
    }
}
