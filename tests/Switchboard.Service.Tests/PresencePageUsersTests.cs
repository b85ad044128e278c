using System.Text;
using Switchboard.Service.Admin;

namespace Switchboard.Service.Tests;

/// <summary>
/// The first user ids of a presence page, as the dashboard reads them: escaped ids come back as spelt, connections and
/// their <c>info</c> are skipped whatever they hold, and a page that is not the whole list says so.
/// </summary>
public sealed class PresencePageUsersTests
{
    private static PresencePageUsers Read(string page, int take) => PresencePageUsers.Read(Encoding.UTF8.GetBytes(page), take);

    [Fact]
    public void Keeps_the_first_ids_and_counts_every_user_of_a_whole_list()
    {
        var page = Read("""
            {"users":{
              "\u003cscript\u003e":[{"connection_id":"c1","node":"n1","info":{"users":{"x":[]},"complete":false}}],
              "ann":[{"connection_id":"c2","node":"n1"},{"connection_id":"c3","node":"n2"}],
              "bob":[{"connection_id":"c4","node":"n1","info":{"tags":["a",{"b":1}]}}]},
             "complete":true}
            """, take: 2);

        Assert.Equal(["<script>", "ann"], page.First);
        Assert.Equal(3, page.Listed);
        Assert.True(page.Complete);
    }

    [Fact]
    public void A_page_with_a_cursor_is_not_the_whole_list()
    {
        var page = Read("""{"users":{"ann":[],"bob":[]},"complete":false,"cursor":"bob"}""", take: 10);

        Assert.Equal(["ann", "bob"], page.First);
        Assert.Equal(2, page.Listed);
        Assert.False(page.Complete);
    }

    [Fact]
    public void A_group_without_users_lists_none()
    {
        var page = Read("""{"users":{},"complete":true}""", take: 10);

        Assert.Empty(page.First);
        Assert.Equal(0, page.Listed);
        Assert.True(page.Complete);
    }
}
