using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Switchboard.Contracts;
using Switchboard.Service.Http;

namespace Switchboard.Service.Admin;

/// <summary>
/// <c>GET admin/actors?depth=&amp;path=</c>: this node's actor hierarchy from <c>path</c> (default <c>/user</c>) down
/// <c>depth</c> levels (default 3). Read from the actors' cells, so it asks no actor anything; a node's connection
/// streams can have many thousands of children, so each actor lists at most <see cref="MaxChildren"/>.
/// </summary>
public static class ActorTree
{
    public const int DefaultDepth = 3;
    public const int MaxDepth = 10;
    public const int MaxChildren = 1000;

    public static IResult Get(ActorSystem system, int? depth = null, string? path = null)
    {
        var levels = depth ?? DefaultDepth;
        if (levels is < 0 or > MaxDepth)
            return new ApiError("invalid_depth", $"depth is 0 to {MaxDepth}").ToResult(400);
        IActorRef start = ((ExtendedActorSystem)system).Provider.RootGuardian;
        foreach (var name in (path ?? "/user").Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            start = start is ActorRefWithCell cell ? cell.GetSingleChild(name) : ActorRefs.Nobody;
            if (start.IsNobody())
                return new ApiError("unknown_actor", $"no actor at \"{path}\" on this node").ToResult(404);
        }
        return AdminEndpoints.Json(Describe(start, levels));
    }

    private static ActorNode Describe(IActorRef actor, int depth)
    {
        var children = depth > 0 && actor is ActorRefWithCell cell
            ? cell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).Take(MaxChildren).Select(c => Describe(c, depth - 1)).ToList()
            : [];
        return new ActorNode(actor.Path.ToStringWithoutAddress(), children);
    }
}
