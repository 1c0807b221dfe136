/** Placeholder until the screen is built. */
export default function SupervisionRoutes() {
  return <h1 className="h3">SupervisionRoutes</h1>;
}
