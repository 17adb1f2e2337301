//! Minimum-cost maximum flow over integer capacities.
//!
//! Successive shortest paths: find the cheapest path from source to sink in the residual graph
//! and push as much flow along it as the tightest edge allows, until no path is left. A
//! queue-based Bellman-Ford (SPFA) finds the paths because reverse edges have negative costs. The result is a
//! maximum flow, and among maximum flows one of minimum cost. Edges are scanned in insertion
//! order, so the same graph built in the same order always yields the same flow.

/// A directed graph with capacities and per-unit costs.
#[derive(Debug, Clone, Default)]
pub struct FlowGraph {
    /// Outgoing edge indices per node, in insertion order.
    adjacency: Vec<Vec<usize>>,
    /// Edges; edge `i ^ 1` is the reverse (residual) edge of edge `i`.
    edges: Vec<Edge>,
}

#[derive(Debug, Clone)]
struct Edge {
    to: usize,
    capacity: i64,
    cost: i64,
}

/// Identifier of an edge added with [`FlowGraph::add_edge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeId(usize);

impl FlowGraph {
    /// Adds a node and returns its index.
    pub fn add_node(&mut self) -> usize {
        self.adjacency.push(Vec::new());
        self.adjacency.len() - 1
    }

    /// Adds an edge with a capacity and a cost per unit of flow.
    pub fn add_edge(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> EdgeId {
        let id = self.edges.len();
        self.edges.push(Edge { to, capacity, cost });
        self.edges.push(Edge {
            to: from,
            capacity: 0,
            cost: -cost,
        });
        self.adjacency[from].push(id);
        self.adjacency[to].push(id + 1);
        EdgeId(id)
    }

    /// Returns the flow on an edge after [`FlowGraph::solve`].
    pub fn flow(&self, edge: EdgeId) -> i64 {
        self.edges[edge.0 ^ 1].capacity
    }

    /// Sends a maximum flow of minimum cost from `source` to `sink` and returns its value.
    pub fn solve(&mut self, source: usize, sink: usize) -> i64 {
        let node_count = self.adjacency.len();
        let mut total = 0;
        let mut distance = vec![i64::MAX; node_count];
        let mut via_edge = vec![usize::MAX; node_count];
        let mut queued = vec![false; node_count];
        let mut queue = std::collections::VecDeque::with_capacity(node_count);

        loop {
            distance.fill(i64::MAX);
            via_edge.fill(usize::MAX);
            distance[source] = 0;
            queue.push_back(source);
            queued[source] = true;

            while let Some(node) = queue.pop_front() {
                queued[node] = false;
                for &edge_index in &self.adjacency[node] {
                    let edge = &self.edges[edge_index];
                    if edge.capacity <= 0 {
                        continue;
                    }
                    let candidate = distance[node] + edge.cost;
                    if candidate < distance[edge.to] {
                        distance[edge.to] = candidate;
                        via_edge[edge.to] = edge_index;
                        if !queued[edge.to] {
                            queued[edge.to] = true;
                            queue.push_back(edge.to);
                        }
                    }
                }
            }

            if distance[sink] == i64::MAX {
                return total;
            }

            // Walk back from the sink to find the tightest residual capacity on the path.
            let mut bottleneck = i64::MAX;
            let mut node = sink;
            while node != source {
                let edge_index = via_edge[node];
                bottleneck = bottleneck.min(self.edges[edge_index].capacity);
                node = self.edges[edge_index ^ 1].to;
            }

            let mut node = sink;
            while node != source {
                let edge_index = via_edge[node];
                self.edges[edge_index].capacity -= bottleneck;
                self.edges[edge_index ^ 1].capacity += bottleneck;
                node = self.edges[edge_index ^ 1].to;
            }
            total += bottleneck;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheaper_path_is_used_first() {
        let mut graph = FlowGraph::default();
        let source = graph.add_node();
        let a = graph.add_node();
        let b = graph.add_node();
        let sink = graph.add_node();
        graph.add_edge(source, a, 5, 0);
        graph.add_edge(source, b, 5, 0);
        let cheap = graph.add_edge(a, sink, 4, 1);
        let dear = graph.add_edge(b, sink, 4, 10);

        assert_eq!(graph.solve(source, sink), 8);
        assert_eq!(graph.flow(cheap), 4);
        assert_eq!(graph.flow(dear), 4);
    }

    #[test]
    fn flow_reroutes_through_reverse_edges() {
        // x fits r1 or r2 and y fits only r1; the first path sends x to r1, and the maximum
        // flow needs x moved to r2.
        let mut graph = FlowGraph::default();
        let source = graph.add_node();
        let x = graph.add_node();
        let y = graph.add_node();
        let r1 = graph.add_node();
        let r2 = graph.add_node();
        let sink = graph.add_node();
        graph.add_edge(source, x, 1, 0);
        graph.add_edge(source, y, 1, 0);
        let x_r1 = graph.add_edge(x, r1, 1, 0);
        let x_r2 = graph.add_edge(x, r2, 1, 1);
        let y_r1 = graph.add_edge(y, r1, 1, 0);
        graph.add_edge(r1, sink, 1, 0);
        graph.add_edge(r2, sink, 1, 0);

        assert_eq!(graph.solve(source, sink), 2);
        assert_eq!(graph.flow(x_r1), 0);
        assert_eq!(graph.flow(x_r2), 1);
        assert_eq!(graph.flow(y_r1), 1);
    }
}
