/** Placeholder until the screen is built. */
export default function PathwayRoutes() {
  return <h1 className="h3">PathwayRoutes</h1>;
}
