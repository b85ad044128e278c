using Microsoft.AspNetCore.Http;
using Switchboard.Service.Http;

namespace Switchboard.Service.Tests;

public sealed class UserIdentityTests
{
    private static string? Resolve(HttpRequest request, out ApiError? error) => UserIdentity.Resolve(request.Query, request.Headers, out error);

    private static IReadOnlyList<string>? Groups(HttpRequest request, out ApiError? error) =>
        UserIdentity.Groups(request.Query, max: 3, out error);

    private static HttpRequest Request(string query = "", string? header = null)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        if (header is not null)
            context.Request.Headers["X-User-ID"] = header;
        return context.Request;
    }

    [Fact]
    public void Query_wins_over_the_header() =>
        Assert.Equal("q", Resolve(Request("?user_id=q", "h"), out _));

    [Fact]
    public void Header_is_used_without_a_query_value() =>
        Assert.Equal("h", Resolve(Request("?user_id=", "h"), out _));

    [Fact]
    public void Anonymous_connections_get_distinct_generated_ids()
    {
        var first = Resolve(Request(), out _);
        var second = Resolve(Request(), out _);
        Assert.StartsWith("anon-", first);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("?user_id=a%0Ab")]
    [InlineData("?user_id=%00")]
    public void Control_characters_are_refused(string query)
    {
        Assert.Null(Resolve(Request(query), out var error));
        Assert.Equal("invalid_user_id", error!.Error);
    }

    [Fact]
    public void Ids_over_128_characters_are_refused()
    {
        Assert.Null(Resolve(Request("?user_id=" + new string('u', 129)), out var error));
        Assert.Equal("invalid_user_id", error!.Error);
        Assert.Equal(new string('u', 128), Resolve(Request("?user_id=" + new string('u', 128)), out _));
    }

    [Fact]
    public void Groups_are_split_trimmed_and_deduplicated()
    {
        var groups = Groups(Request("?groups=a,%20b,,a&groups=c"), out var error);
        Assert.Null(error);
        Assert.Equal(["a", "b", "c"], groups);
    }

    [Fact]
    public void Invalid_group_name_is_refused()
    {
        Assert.Null(Groups(Request("?groups=ok," + new string('g', 129)), out var error));
        Assert.Equal("invalid_group", error!.Error);
    }

    [Fact]
    public void More_groups_than_a_connection_may_join_are_refused()
    {
        Assert.Equal(["a", "b", "c"], Groups(Request("?groups=a,b,c,a"), out _));
        Assert.Null(Groups(Request("?groups=a,b,c,d"), out var error));
        Assert.Equal("too_many_groups", error!.Error);
    }
}
