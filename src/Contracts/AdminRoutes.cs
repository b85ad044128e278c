namespace Switchboard.Contracts;

/// <summary>
/// The admin API's routes, under the hub's prefix (<c>/ws</c> by default). Every route needs the <c>admin</c> scope.
/// Bodies and answers are the records of this project, as snake_case JSON (<see cref="AdminJson"/>); a refusal is
/// <see cref="ErrorBody"/> with a 4xx or 5xx status.
/// </summary>
public static class AdminRoutes
{
    public const string Base = "/admin";

    // The cluster palette (pbm's names).
    public const string Cluster = Base + "/cluster";                    // GET → ClusterView
    public const string ClusterEvents = Base + "/cluster/events";      // GET, server-sent events: ClusterEvent per event
    public const string ClusterLeave = Base + "/cluster/leave";        // POST MemberRequest (Address null: this node) → ActionResult
    public const string ClusterDown = Base + "/cluster/down";          // POST MemberRequest → ActionResult
    public const string ClusterDownUnreachable = Base + "/cluster/down-unreachable"; // POST → ActionResult
    public const string ClusterJoin = Base + "/cluster/join";          // POST MemberRequest → ActionResult

    // The sharding palette.
    public const string Regions = Base + "/sharding/regions";          // GET → RegionsView
    public const string RegionStats = Base + "/sharding/regions/{region}/stats";  // GET → RegionStatsView
    public const string ShardStats = Base + "/sharding/regions/{region}/shards";  // GET → ShardStatsView

    // The actor palette.
    public const string Actors = Base + "/actors";                     // GET ?depth=&path= → ActorNode

    // The hub's own.
    public const string Connections = Base + "/connections";           // GET ?user=&node=&limit=&after= → ConnectionPage
    public const string User = Base + "/users/{id}";                   // GET → UserView
    public const string Groups = Base + "/groups";                     // GET ?limit=&after= → GroupPage
    public const string Group = Base + "/groups/{name}";               // GET → GroupView
    public const string Kick = Base + "/kick";                         // POST KickRequest → KickResult
    public const string Drain = Base + "/nodes/drain";                 // POST MemberRequest → ActionResult
    public const string RateLimit = Base + "/ratelimit";               // GET → RateLimitView; PUT RateLimitView → RateLimitView
    public const string Namespaces = Base + "/namespaces";             // GET → NamespacesView
    public const string Namespace = Base + "/namespaces/{name}";       // GET → NamespaceView
    public const string Hooks = Base + "/hooks";                       // GET → HooksView
    public const string Top = Base + "/top";                           // GET, server-sent events: TopSample every second
    public const string Dashboard = Base + "/dashboard";               // GET, server-sent events: DashboardSample every second
}
