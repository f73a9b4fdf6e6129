//! Whether a cluster's nodes have room for the replicas: each replica must fit whole on one
//! node, as the scheduler places it.

use orbital_types::Amounts;

/// A node that takes pods, and what of its allocatable is not yet requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    /// The node's name.
    pub node: String,
    /// Allocatable less what its pods request.
    pub free: Amounts,
}

/// Where the replicas would go.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    /// Every replica fits; the nodes they would go to, one per replica.
    Fits(Vec<String>),
    /// Only `placed` of the replicas fit; `short` is how much more free room the cluster needs
    /// in total, or none when the total would do but no single node has room for a replica.
    Short {
        /// How many replicas fit.
        placed: u64,
        /// What the nodes lack in total.
        short: Amounts,
    },
}

/// Places `replicas` replicas that each request `need` on `rooms`, each on the node with the
/// most free CPU at that moment, as spreading does.
pub fn place(rooms: &[Room], need: Amounts, replicas: u64) -> Placement {
    let mut rooms = rooms.to_vec();
    let mut nodes = Vec::new();
    for _ in 0..replicas {
        let best = rooms
            .iter_mut()
            .filter(|room| room.free.covers(need))
            .max_by_key(|room| (room.free.cpu_millis, room.free.memory_bytes));
        let Some(room) = best else {
            let mut total = Amounts::default();
            for room in &rooms {
                total += room.free;
            }
            let left = replicas - nodes.len() as u64;
            return Placement::Short {
                placed: nodes.len() as u64,
                short: need.times(left).less(total),
            };
        };
        room.free = room.free.less(need);
        nodes.push(room.node.clone());
    }
    Placement::Fits(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(node: &str, cpu_millis: u64, mebibytes: u64) -> Room {
        Room {
            node: node.to_owned(),
            free: Amounts {
                cpu_millis,
                memory_bytes: mebibytes << 20,
            },
        }
    }

    const NEED: Amounts = Amounts {
        cpu_millis: 100,
        memory_bytes: 128 << 20,
    };

    #[test]
    fn replicas_spread_over_the_roomiest_nodes() {
        let rooms = [room("a", 1000, 4096), room("b", 900, 4096)];
        assert_eq!(
            place(&rooms, NEED, 2),
            Placement::Fits(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            place(&rooms[..1], NEED, 3),
            Placement::Fits(vec!["a".into(), "a".into(), "a".into()])
        );
    }

    #[test]
    fn too_little_room_names_the_shortfall() {
        let rooms = [room("a", 150, 4096), room("b", 30, 4096)];
        assert_eq!(
            place(&rooms, NEED, 2),
            Placement::Short {
                placed: 1,
                short: Amounts {
                    cpu_millis: 20,
                    memory_bytes: 0
                }
            }
        );
        // Enough in total, but no node has room for a whole replica.
        let scattered = [room("a", 60, 4096), room("b", 60, 4096)];
        assert_eq!(
            place(&scattered, NEED, 1),
            Placement::Short {
                placed: 0,
                short: Amounts::default()
            }
        );
    }
}
