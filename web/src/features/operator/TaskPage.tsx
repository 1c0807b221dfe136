/** Placeholder until the screen is built. */
export default function TaskPage() {
  return <h1 className="h3">TaskPage</h1>;
}
