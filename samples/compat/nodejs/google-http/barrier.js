// Resolves, once `parties` calls have arrived at barrier `id` (or after 30 s),
// with how many arrived: proof that calls run at the same time.
const barriers = new Map();

exports.barrier = async (id, parties) => {
  let b = barriers.get(id);
  if (!b) {
    b = { arrived: 0, left: 0 };
    b.full = new Promise((resolve) => { b.release = resolve; });
    barriers.set(id, b);
  }
  if (++b.arrived === parties) b.release();
  let timer;
  await Promise.race([b.full, new Promise((resolve) => { timer = setTimeout(resolve, 30000); })]);
  clearTimeout(timer);
  if (++b.left === b.arrived) barriers.delete(id);
  return b.arrived;
};
