export { createServiceTable } from '../../support/serviceTable.js';
